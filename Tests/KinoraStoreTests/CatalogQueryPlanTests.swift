import Foundation
import GRDB
import KinoraStore
import Testing

/// Every listing path walks an index: no full scan of videos, and no sorting of the whole
/// result for the plain sorts (checked with EXPLAIN QUERY PLAN), and a listing page over
/// 20,000 videos stays fast.
@Suite struct CatalogQueryPlanTests {
    func plan(_ database: KinoraDatabase, _ query: VideoQuery, after: CatalogCursor?) throws -> [String] {
        let (sql, arguments) = VideoRepository.listingSQL(query, after: after)
        return try database.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
        }
    }

    @Test func eachSortAndFilterUsesAnIndex() throws {
        let fixture = try CatalogFixture()
        defer { fixture.remove() }
        var cases: [(String, VideoQuery, Bool, CatalogCursor?)] = []
        let cursors: [VideoQuery.Sort: CatalogCursor] = [
            .newest: CatalogCursor(sort: .newest, key: "2025-01-01 00:00:00.000".databaseValue, id: "x"),
            .mostViewed: CatalogCursor(sort: .mostViewed, key: 5.databaseValue, id: "x"),
            .title: CatalogCursor(sort: .title, key: "m".databaseValue, id: "x"),
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
        for (name, query, sortedByIndex, cursor) in cases {
            let steps = try plan(fixture.database, query, after: cursor)
            let scansVideos = steps.contains { $0.hasPrefix("SCAN v") && !$0.contains("INDEX") }
            #expect(!scansVideos, "\(name): \(steps)")
            if sortedByIndex { #expect(!steps.contains { $0.contains("TEMP B-TREE") }, "\(name): \(steps)") }
            // The cursor bounds the index range (`(listed_at,id)<(?,?)`), so a deep page costs what the first does.
            if cursor != nil { #expect(steps.contains { $0.contains(",id)<(?,?)") || $0.contains(",id)>(?,?)") }, "\(name): \(steps)") }
        }
    }

    @Test func aListingPageOverManyVideosIsFast() throws {
        let fixture = try CatalogFixture()
        defer { fixture.remove() }
        try fixture.database.writer.write { db in
            for index in 0..<20_000 {
                try db.execute(
                    sql: """
                        INSERT INTO videos(id, title, visibility, status, original_size, created_at, updated_at, listed_at, views, duration)
                        VALUES (?, ?, ?, 'ready', 1, ?, ?, ?, ?, 60)
                        """,
                    arguments: [
                        "v\(index)", "Video \(index)", index % 4 == 0 ? "private" : "public",
                        fixture.start.addingTimeInterval(Double(index)), fixture.start, fixture.start.addingTimeInterval(Double(index)), index % 977,
                    ])
            }
        }
        for sort in VideoQuery.Sort.allCases {
            var query = VideoQuery()
            query.sort = sort
            query.limit = 100
            _ = try fixture.database.videos.list(query)
            let clock = ContinuousClock()
            var page = try fixture.database.videos.list(query)
            let elapsed = try clock.measure {
                for _ in 0..<5 {
                    query.cursor = page.nextCursor
                    page = try fixture.database.videos.list(query)
                }
            }
            #expect(page.items.count == 100)
            // Five pages of 100 in a debug build: generous, but a full scan and sort would not fit.
            #expect(elapsed < .milliseconds(500), "\(sort): \(elapsed)")
        }
    }
}
