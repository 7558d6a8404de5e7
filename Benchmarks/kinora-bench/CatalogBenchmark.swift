import Foundation
import KinoraStore
import KinoraTestSupport

/// The catalog API under an open-loop load: 100,000 videos and 10,000 users (2,000 of them
/// creators with a channel each) in the database, 200 requests/s for the listing (its sorts,
/// filters and later pages) and for the video page, latency counted from each request's due
/// time. Target: p99 under 5 ms for both. No peer serves this API, so the figures are absolute.
///
/// Then the same rows on PostgreSQL (issue 17): `kinora db migrate-to-postgres` copies the
/// SQLite database into a PostgreSQL 15 started as the tests start it, the daemon runs on it
/// with the same data folder, and the same load runs again. Target: PostgreSQL's p99 within
/// 2x of SQLite's, for each of the two.
enum CatalogBenchmark {
    static let listingBases = [
        "/api/v1/videos?limit=20", "/api/v1/videos?limit=20&sort=most_viewed", "/api/v1/videos?limit=20&sort=title",
        "/api/v1/videos?limit=20&channel=c000000000000042", "/api/v1/videos?limit=20&tag=tag7",
        "/api/v1/videos?limit=20&min_duration=60&max_duration=600", "/api/v1/videos?limit=20&category=news",
    ]

    /// One engine's figures, and the ids of every listing page it served (in `listings` order),
    /// so the two engines can be shown to have answered the same pages.
    struct Measured {
        var listing: OpenLoopLoad.Result
        var videoPage: OpenLoopLoad.Result
        var pages: [[String]]
    }

    static func run(seconds: Int, rate: Double) async throws {
        let dataDir = benchDir + "/catalog/data"
        // The schema comes from the daemon itself (its migrations), then rows in bulk.
        let first = try BenchDaemon(dataDir: dataDir, quiet: true)
        _ = try first.startAndWaitReady()
        first.stop()
        let seedStart = Date()
        try seed(database: dataDir + "/kinora.sqlite", users: 10_000, creators: 2_000, videos: 100_000)
        print("catalog: seeded 10,000 users and 100,000 videos in \(formatted(Date().timeIntervalSince(seedStart))) s")

        // The engines' own paths, compared: the listing page cache is off (PostgreSQL has none),
        // and measured on its own after the comparison.
        let uncached = "[rate_limit]\nenabled = false\n[catalog]\npage_cache = false\n"
        let sqlite = try measure(engine: "SQLite", dataDir: dataDir, config: uncached, seconds: seconds, rate: rate)

        // The same rows on PostgreSQL, moved as an operator moves them; the media stay in the
        // same data folder.
        let url = try PostgresServer.shared().makeDatabase("catalog")
        let copy = try copyToPostgres(dataDir: dataDir, url: url)
        print("catalog: kinora db migrate-to-postgres copied the seeded database in \(formatted(copy.seconds, 1)) s wall time (\(copy.summary))")
        print("catalog: \(try ensureStatistics(url: url))")
        let postgres = try measure(
            engine: "PostgreSQL", dataDir: dataDir, config: uncached + "[database]\nurl = \"\(url)\"\n", seconds: seconds,
            rate: rate)

        // Cursors are opaque and came from each daemon; the pages they lead to must be the same.
        for (index, (lite, pg)) in zip(sqlite.pages, postgres.pages).enumerated() where lite != pg {
            throw BenchError("catalog: listing page \(index) differs between engines: SQLite \(lite.prefix(3))…, PostgreSQL \(pg.prefix(3))…")
        }
        guard sqlite.pages.count == postgres.pages.count else {
            throw BenchError("catalog: SQLite served \(sqlite.pages.count) listing pages, PostgreSQL \(postgres.pages.count)")
        }
        for (what, lite, pg) in [("listing", sqlite.listing, postgres.listing), ("video page", sqlite.videoPage, postgres.videoPage)] {
            let ratio = pg.percentile(99) / lite.percentile(99)
            print(
                "catalog \(what) p99: PostgreSQL \(formatted(pg.percentile(99), 2)) ms, SQLite \(formatted(lite.percentile(99), 2)) ms = \(formatted(ratio, 2))x "
                    + "(target: PostgreSQL within 2x of SQLite: \(ratio <= 2 ? "met" : "missed"); same \(sqlite.pages.count) listing pages on both engines)")
        }
        // What a default install answers: SQLite with the page cache (its own line from measure).
        let cached = try measure(engine: "SQLite with the page cache", dataDir: dataDir, config: "[rate_limit]\nenabled = false\n", seconds: seconds, rate: rate)
        guard cached.pages == sqlite.pages else { throw BenchError("catalog: the page cache served other listing pages than the database") }
    }

    /// Starts the daemon on `dataDir` with `config`, fetches the listing's later pages from it,
    /// warms it, and runs the two loads.
    static func measure(engine: String, dataDir: String, config: String, seconds: Int, rate: Double) throws -> Measured {
        let daemon = try BenchDaemon(dataDir: dataDir, quiet: true, config: config)
        _ = try daemon.startAndWaitReady()
        defer { daemon.stop() }
        let port = daemon.port

        // Later pages come from real cursors, from this daemon: walk a few pages of each sort.
        var listings = listingBases
        var pages: [[String]] = []
        for base in listingBases.prefix(3) {
            var url = base
            for _ in 0..<5 {
                guard let cursor = try page(port: port, path: url).cursor else { break }
                url = base + "&cursor=" + cursor
                listings.append(url)
            }
        }
        for path in listings { pages.append(try page(port: port, path: path).ids) }
        // Warm both paths under the same concurrency, untimed: the first second of a run should
        // not measure page-cache misses or, on PostgreSQL, the pool opening its connections.
        let paths = listings
        let warm = try OpenLoopLoad(port: port, rate: rate, seconds: 2, connections: 16) { index in
            (index % 2 == 0 ? paths[index % paths.count] : "/api/v1/videos/" + publicVideoID(index), [:])
        }.run()
        try warm.requireOnly(200, what: "catalog warm-up on \(engine)")

        let listing = try OpenLoopLoad(port: port, rate: rate, seconds: Double(seconds), connections: 16) { index in
            (paths[index % paths.count], [:])
        }.run()
        try report("listing on \(engine) (\(paths.count) sorts, filters and pages)", listing, rate: rate)

        let videoPage = try OpenLoopLoad(port: port, rate: rate, seconds: Double(seconds), connections: 16) { index in
            ("/api/v1/videos/" + publicVideoID(index), [:])
        }.run()
        try report("video page on \(engine)", videoPage, rate: rate)
        return Measured(listing: listing, videoPage: videoPage, pages: pages)
    }

    /// Public and unlisted ids spread over the table (every tenth video is private, a 404 to
    /// anonymous callers).
    static func publicVideoID(_ index: Int, videos: Int = 100_000) -> String {
        let n = (index &* 7919) % videos
        return videoID(n % 10 == 0 ? n + 1 : n)
    }

    static func report(_ what: String, _ result: OpenLoopLoad.Result, rate: Double) throws {
        let statuses = result.statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        print(
            "catalog \(what) at \(Int(rate)) req/s open-loop: p50 \(formatted(result.percentile(50), 2)) ms, p90 \(formatted(result.percentile(90), 2)) ms, p99 \(formatted(result.percentile(99), 2)) ms, max \(formatted(result.percentile(100), 2)) ms over \(result.latenciesMs.count) requests [\(statuses)] errors \(result.errors) (target p99 < 5 ms, absolute)"
        )
        // Latencies of refusals or failures would flatter the figures: every answer must be 200.
        try result.requireOnly(200, what: "catalog \(what)")
    }

    static func videoID(_ n: Int) -> String { "v" + String(format: "%015d", n) }

    /// GET a listing path: the ids it lists and its `next_cursor` (percent-encoded for a query).
    static func page(port: Int, path: String) throws -> (ids: [String], cursor: String?) {
        var connection = OpenLoopLoad.Connection(port: port)
        defer { connection.close() }
        guard let (status, body) = connection.getBody(path), status == 200 else { throw BenchError("GET \(path) failed") }
        let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        let ids = (object?["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        guard !ids.isEmpty else { throw BenchError("GET \(path) listed no video") }
        return (ids, (object?["next_cursor"] as? String)?.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
    }

    /// `kinora db migrate-to-postgres` into `url` (an empty database), as an operator runs it
    /// with the daemon stopped; returns the wall time and the command's closing line.
    static func copyToPostgres(dataDir: String, url: String) throws -> (seconds: Double, summary: String) {
        let started = Date()
        let (status, output) = try PluginFootprintBenchmark.runProgram(
            BenchDaemon.executable, ["db", "migrate-to-postgres", "--url", url, "--data-dir", dataDir, "--config", (dataDir as NSString).deletingLastPathComponent + "/quiet.toml"])
        let seconds = Date().timeIntervalSince(started)
        guard status == 0 else { throw BenchError("kinora db migrate-to-postgres exited with \(status): \(output)") }
        let summary = output.split(separator: "\n").first { $0.hasPrefix("copied ") }.map(String.init) ?? "no summary line"
        return (seconds, summary)
    }

    /// The planner needs statistics on the copied rows. `PostgresCopy` runs `ANALYZE` at its
    /// end; this checks it did (pg_stats has the videos table's columns), and analyzes here
    /// only if not, saying so.
    static func ensureStatistics(url: String) throws -> String {
        let database = PostgresDatabase(url: url, size: 1)
        let statistics = "SELECT COUNT(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'videos'"
        if let columns = try database.read({ try $0.scalar(Int.self, statistics) }), columns > 0 {
            let rows = try database.read { try $0.scalar(Double.self, "SELECT reltuples::float8 FROM pg_class WHERE relname = 'videos'") } ?? -1
            return "planner statistics present after the copy (it runs ANALYZE itself): \(columns) columns of videos in pg_stats, reltuples \(Int(rows))"
        }
        _ = try database.write { try $0.execute("ANALYZE") }
        return "the copy left no planner statistics: ANALYZE run by the benchmark"
    }

    /// Rows in bulk through the sqlite3 shell: a recursive CTE per table, one transaction.
    static func seed(database: String, users: Int, creators: Int, videos: Int) throws {
        let sql = """
            PRAGMA journal_mode = WAL;
            BEGIN;
            INSERT INTO categories(id, name, created_at) VALUES ('news', 'News', '2026-01-01 00:00:00.000'), ('music', 'Music', '2026-01-01 00:00:00.000');
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < \(users))
            INSERT INTO users(id, username, display_name, role, password_hash, disabled, created_at)
              SELECT printf('u%015d', i), printf('user%d', i), printf('User %d', i), CASE WHEN i < \(creators) THEN 'creator' ELSE 'viewer' END,
                     '$2b$12$benchbenchbenchbenchbe.benchbenchbenchbenchbenchbenchbe', 0,
                     strftime('%Y-%m-%d %H:%M:%f', '2025-01-01', printf('+%d seconds', i * 60)) FROM n;
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < \(creators))
            INSERT INTO channels(id, owner_id, handle, name, description, created_at)
              SELECT printf('c%015d', i), printf('u%015d', i), printf('user%d', i), printf('Channel %d', i), 'A channel',
                     strftime('%Y-%m-%d %H:%M:%f', '2025-01-01', printf('+%d seconds', i * 60)) FROM n;
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < \(videos))
            INSERT INTO videos(id, title, visibility, status, original_size, duration, width, height, created_at, updated_at,
                               owner_id, channel_id, description, category_id, language, views, listed_at)
              SELECT printf('v%015d', i), printf('Video %d about topic %d', i, i % 997),
                     CASE WHEN i % 10 = 0 THEN 'private' WHEN i % 10 = 1 THEN 'unlisted' ELSE 'public' END, 'ready',
                     1000000, 30 + (i * 37) % 1800, 1280, 720,
                     strftime('%Y-%m-%d %H:%M:%f', '2025-06-01', printf('+%d seconds', i * 97)),
                     strftime('%Y-%m-%d %H:%M:%f', '2025-06-01', printf('+%d seconds', i * 97)),
                     printf('u%015d', i % \(creators)), printf('c%015d', i % \(creators)),
                     printf('Description of video %d with some words to index', i),
                     CASE i % 3 WHEN 0 THEN 'news' WHEN 1 THEN 'music' ELSE NULL END, 'en', (i * 7919) % 100000,
                     strftime('%Y-%m-%d %H:%M:%f', '2025-06-01', printf('+%d seconds', i * 97)) FROM n;
            INSERT INTO video_tags(video_id, tag, position) SELECT id, printf('tag%d', CAST(substr(id, 2) AS INTEGER) % 50), 0 FROM videos;
            INSERT INTO video_tags(video_id, tag, position) SELECT id, 'bench', 1 FROM videos;
            INSERT INTO video_search_docs(video_id) SELECT id FROM videos;
            INSERT INTO video_search(rowid, title, description, tags, channel)
              SELECT d.docid, v.title, v.description, 'bench', c.name FROM video_search_docs d JOIN videos v ON v.id = d.video_id JOIN channels c ON c.id = v.channel_id;
            COMMIT;
            """
        try sqliteShell(database: database, sql, what: "seeding")
    }

    /// `sql` through the sqlite3 shell on `database`.
    static func sqliteShell(database: String, _ sql: String, what: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [database]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(sql.utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("sqlite3 \(what) failed (\(process.terminationStatus))") }
    }
}
