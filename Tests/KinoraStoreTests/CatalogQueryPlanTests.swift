import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

/// Every listing path walks an index: no full scan of videos, and no sorting of the whole
/// result for the plain sorts (checked with SQLite's EXPLAIN QUERY PLAN, and PostgreSQL's
/// EXPLAIN over a populated, analyzed table, since its planner goes by statistics), and a
/// listing page over 20,000 videos stays fast on both.
@Suite struct CatalogQueryPlanTests {
    /// The listings to check: name, query, whether the index gives the order, cursor.
    static func cases() -> [(String, VideoQuery, Bool, CatalogCursor?)] {
        var cases: [(String, VideoQuery, Bool, CatalogCursor?)] = []
        let cursors: [VideoQuery.Sort: CatalogCursor] = [
            .newest: CatalogCursor(sort: .newest, key: .text("2025-01-01 00:00:00.000"), id: "x"),
            .mostViewed: CatalogCursor(sort: .mostViewed, key: .integer(5), id: "x"),
            .title: CatalogCursor(sort: .title, key: .text("m"), id: "x"),
        ]
        for sort in VideoQuery.Sort.allCases {
            var query = VideoQuery()
            query.sort = sort
            query.publishedAfter = Date(timeIntervalSince1970: 0)
            cases.append(("\(sort)", query, true, nil))
            cases.append(("\(sort) after a cursor", query, true, cursors[sort]))
            query.scope = .all
            cases.append(("\(sort) all", query, true, nil))
        }
        var channel = VideoQuery()
        channel.channelID = "c"
        cases.append(("channel", channel, true, nil))
        var owner = VideoQuery()
        owner.scope = .owner("u")
        cases.append(("owner", owner, true, nil))
        var category = VideoQuery()
        category.categoryID = "music"
        cases.append(("category", category, true, nil))
        var tag = VideoQuery()
        tag.tag = "cats"
        cases.append(("tag", tag, false, nil))
        return cases
    }

    func plan(_ database: KinoraDatabase, _ query: VideoQuery, after: CatalogCursor?) throws -> [String] {
        let (sql, arguments) = VideoRepository.listingSQL(query, dialect: database.dialect, after: after)
        return try database.sql.read { db in
            switch db.dialect {
            case .sqlite: try db.fetchAll("EXPLAIN QUERY PLAN " + sql, arguments).map { try $0.value("detail", as: String.self) }
            case .postgres: try db.fetchAll("EXPLAIN " + sql, arguments).map { try $0.value("QUERY PLAN", as: String.self) }
            }
        }
    }

    /// 20,000 videos, a quarter private, a second apart, with views 0-976.
    func populate(_ fixture: CatalogFixture) throws {
        try fixture.database.sql.write { db in
            switch db.dialect {
            case .sqlite:
                for index in 0..<20_000 {
                    try db.execute(
                        """
                        INSERT INTO videos(id, title, visibility, status, original_size, created_at, updated_at, listed_at, views, duration)
                        VALUES (?, ?, ?, 'ready', 1, ?, ?, ?, ?, 60)
                        """,
                        [
                            "v\(index)", "Video \(index)", index % 4 == 0 ? "private" : "public",
                            fixture.start.addingTimeInterval(Double(index)), fixture.start, fixture.start.addingTimeInterval(Double(index)),
                            index % 977,
                        ])
                }
            case .postgres:
                // One statement: 20,000 round trips would measure the loopback, not the listing.
                try db.execute(
                    """
                    INSERT INTO videos(id, title, visibility, status, original_size, created_at, updated_at, listed_at, views, duration)
                    SELECT 'v' || i, 'Video ' || i, CASE WHEN i % 4 = 0 THEN 'private' ELSE 'public' END, 'ready', 1,
                           ? + i * interval '1 second', ?, ? + i * interval '1 second', i % 977, 60
                    FROM generate_series(0, 19999) AS i
                    """, [fixture.start, fixture.start, fixture.start])
            }
        }
        if fixture.database.dialect == .postgres { try fixture.database.sql.write { try $0.execute("ANALYZE videos") } }
    }

    @Test func eachSortAndFilterUsesAnIndexOnSQLite() throws {
        let fixture = try CatalogFixture(.sqlite)
        for (name, query, sortedByIndex, cursor) in Self.cases() {
            let steps = try plan(fixture.database, query, after: cursor)
            let scansVideos = steps.contains { $0.hasPrefix("SCAN v") && !$0.contains("INDEX") }
            #expect(!scansVideos, "\(name): \(steps)")
            if sortedByIndex { #expect(!steps.contains { $0.contains("TEMP B-TREE") }, "\(name): \(steps)") }
            // The cursor bounds the index range (`(listed_at,id)<(?,?)`), so a deep page costs what the first does.
            if cursor != nil { #expect(steps.contains { $0.contains(",id)<(?,?)") || $0.contains(",id)>(?,?)") }, "\(name): \(steps)") }
        }
    }

    @Test func eachSortAndFilterUsesAnIndexOnPostgreSQL() throws {
        let fixture = try CatalogFixture(.postgres)
        try populate(fixture)
        for (name, query, sortedByIndex, cursor) in Self.cases() {
            let steps = try plan(fixture.database, query, after: cursor)
            #expect(!steps.contains { $0.contains("Seq Scan on videos") }, "\(name): \(steps.joined(separator: "\n"))")
            if sortedByIndex { #expect(!steps.contains { $0.contains("Sort") }, "\(name): \(steps.joined(separator: "\n"))") }
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aListingPageOverManyVideosIsFast(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        try populate(fixture)
        for sort in VideoQuery.Sort.allCases {
            var query = VideoQuery()
            query.sort = sort
            query.limit = 100
            _ = try fixture.database.videos.list(query)
            let clock = ContinuousClock()
            var page = try fixture.database.videos.list(query)
            var seen = Set(page.items.map(\.video.id))
            let elapsed = try clock.measure {
                for _ in 0..<5 {
                    query.cursor = page.nextCursor
                    page = try fixture.database.videos.list(query)
                    seen.formUnion(page.items.map(\.video.id))
                }
            }
            #expect(page.items.count == 100)
            #expect(seen.count == 600, "six pages, no video twice")
            // Five pages of 100 in a debug build: generous, but a full scan and sort would not fit.
            #expect(elapsed < .milliseconds(500), "\(sort): \(elapsed)")
        }
    }
}
