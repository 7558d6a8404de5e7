import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

/// The comment listings walk their indexes: no scan of `comments` and no sort of a video's
/// comments, first page or deep (SQLite's EXPLAIN QUERY PLAN; PostgreSQL's EXPLAIN over an
/// analyzed table, since its planner goes by statistics), and pages over a video with 10,000
/// comments stay fast on both engines.
@Suite struct CommentQueryPlanTests {
    /// 10,000 top-level comments on `v1` a second apart (scores -10…39; the first 1,000 with
    /// three replies each), and 5,000 on `v2`, so that a scan would show.
    func populate(_ fixture: CatalogFixture) throws -> String {
        let author = try fixture.user("author")
        try fixture.video("v1")
        try fixture.video("v2")
        try fixture.database.sql.write { db in
            switch db.dialect {
            case .sqlite:
                for index in 0..<15_000 {
                    let score = index % 50 - 10
                    try db.execute(
                        """
                        INSERT INTO comments(id, video_id, author_id, body, status, created_at, likes, dislikes, score, reply_count)
                        VALUES (?, ?, ?, 'text', 'published', ?, ?, ?, ?, ?)
                        """,
                        [
                            "c\(index)", index < 10_000 ? "v1" : "v2", author.id, fixture.start.addingTimeInterval(Double(index)),
                            max(0, score), max(0, -score), score, index < 1000 ? 3 : 0,
                        ])
                }
                for index in 0..<3000 {
                    try db.execute(
                        "INSERT INTO comments(id, video_id, parent_id, author_id, body, status, created_at) VALUES (?, 'v1', ?, ?, 'reply', 'published', ?)",
                        ["r\(index)", "c\(index / 3)", author.id, fixture.start.addingTimeInterval(Double(20_000 + index))])
                }
            case .postgres:
                // One statement each: 18,000 round trips would measure the loopback, not the listing.
                try db.execute(
                    """
                    INSERT INTO comments(id, video_id, author_id, body, status, created_at, likes, dislikes, score, reply_count)
                    SELECT 'c' || i, CASE WHEN i < 10000 THEN 'v1' ELSE 'v2' END, ?, 'text', 'published', ? + i * interval '1 second',
                        GREATEST(0, i % 50 - 10), GREATEST(0, 10 - i % 50), i % 50 - 10, CASE WHEN i < 1000 THEN 3 ELSE 0 END
                    FROM generate_series(0, 14999) AS i
                    """, [author.id, fixture.start])
                try db.execute(
                    """
                    INSERT INTO comments(id, video_id, parent_id, author_id, body, status, created_at)
                    SELECT 'r' || i, 'v1', 'c' || (i / 3), ?, 'reply', 'published', ? + (20000 + i) * interval '1 second'
                    FROM generate_series(0, 2999) AS i
                    """, [author.id, fixture.start])
            }
        }
        if fixture.database.dialect == .postgres { try fixture.database.sql.write { try $0.execute("ANALYZE comments") } }
        return author.id
    }

    /// The statements to check: name and statement.
    func statements(_ fixture: CatalogFixture, viewerID: String) throws -> [(String, (String, [SQLValue]))] {
        let comments = fixture.database.comments
        var statements: [(String, (String, [SQLValue]))] = []
        for sort in CommentSort.allCases {
            let page = try comments.listTopLevel(videoID: "v1", sort: sort, limit: 50)
            statements.append(("\(sort)", try CommentRepository.topLevelSQL(videoID: "v1", sort: sort, cursor: nil, limit: 50)))
            statements.append(
                ("\(sort) after a cursor", try CommentRepository.topLevelSQL(videoID: "v1", sort: sort, cursor: page.nextCursor, limit: 50)))
            statements.append(
                (
                    "\(sort) for a signed-in viewer, pinned left out",
                    try CommentRepository.topLevelSQL(videoID: "v1", sort: sort, cursor: nil, limit: 50, viewerID: viewerID, excluding: "c5")
                ))
            statements.append(("\(sort) for a moderator", try CommentRepository.topLevelSQL(videoID: "v1", sort: sort, cursor: nil, limit: 50, includeHidden: true)))
        }
        let replies = try comments.listReplies(parentID: "c1", limit: 2)
        statements.append(("replies", try CommentRepository.repliesSQL(parentID: "c1", cursor: nil, limit: 2)))
        statements.append(("replies after a cursor", try CommentRepository.repliesSQL(parentID: "c1", cursor: replies.nextCursor, limit: 2)))
        return statements
    }

    func plan(_ database: KinoraDatabase, _ statement: (String, [SQLValue])) throws -> [String] {
        try database.sql.read { db in
            switch db.dialect {
            case .sqlite: try db.fetchAll("EXPLAIN QUERY PLAN " + statement.0, statement.1).map { try $0.value("detail", as: String.self) }
            case .postgres: try db.fetchAll("EXPLAIN " + statement.0, statement.1).map { try $0.value("QUERY PLAN", as: String.self) }
            }
        }
    }

    @Test func eachListingWalksAnIndexOnSQLite() throws {
        let fixture = try CatalogFixture(.sqlite)
        let viewer = try populate(fixture)
        for (name, statement) in try statements(fixture, viewerID: viewer) {
            let steps = try plan(fixture.database, statement)
            #expect(!steps.contains { $0.hasPrefix("SCAN c") && !$0.contains("INDEX") }, "\(name): \(steps)")
            #expect(steps.contains { $0.contains("INDEX comments_") }, "\(name): \(steps)")
            #expect(!steps.contains { $0.contains("TEMP B-TREE") }, "\(name): \(steps)")
            // The cursor bounds the index range, so a deep page costs what the first does.
            if name.hasSuffix("after a cursor") { #expect(steps.contains { $0.contains("id)<(?") || $0.contains("id)>(?") }, "\(name): \(steps)") }
        }
    }

    @Test func eachListingWalksAnIndexOnPostgreSQL() throws {
        let fixture = try CatalogFixture(.postgres)
        let viewer = try populate(fixture)
        for (name, statement) in try statements(fixture, viewerID: viewer) {
            let steps = try plan(fixture.database, statement)
            #expect(!steps.contains { $0.contains("Seq Scan on comments") }, "\(name): \(steps.joined(separator: "\n"))")
            #expect(!steps.contains { $0.contains("Sort") }, "\(name): \(steps.joined(separator: "\n"))")
            if name.hasSuffix("after a cursor") {
                #expect(steps.contains { $0.contains("Index Cond") && $0.contains("ROW(") }, "\(name): \(steps.joined(separator: "\n"))")
            }
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func pagesOverAVideoWithTenThousandCommentsAreFast(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        let viewer = try populate(fixture)
        for sort in CommentSort.allCases {
            var page = try fixture.database.comments.listTopLevel(videoID: "v1", sort: sort, limit: 50, viewerID: viewer)
            var seen = Set(page.threads.map(\.comment.id))
            var replies = page.threads.map(\.replies.count).reduce(0, +)
            let elapsed = try ContinuousClock().measure {
                for _ in 0..<5 {
                    page = try fixture.database.comments.listTopLevel(videoID: "v1", sort: sort, limit: 50, cursor: page.nextCursor, viewerID: viewer)
                    seen.formUnion(page.threads.map(\.comment.id))
                    replies += page.threads.map(\.replies.count).reduce(0, +)
                }
            }
            #expect(seen.count == 300, "\(sort): six pages, no comment twice")
            if sort == .new { #expect(replies == 0, "the newest 300 have no replies") }
            if sort == .top { #expect(replies > 0, "the top ones include some of the first 1,000, which have replies") }
            // Five pages of 50 with their replies in a debug build: generous, but a scan and
            // sort of the video's comments per page would not fit.
            #expect(elapsed < .milliseconds(500), "\(sort): \(elapsed)")
        }
    }
}
