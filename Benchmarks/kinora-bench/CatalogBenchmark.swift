import Foundation

/// The catalog API under an open-loop load: 100,000 videos and 10,000 users (2,000 of them
/// creators with a channel each) in the database, 200 requests/s for the listing (its sorts,
/// filters and later pages) and for the video page, latency counted from each request's due
/// time. Target: p99 under 5 ms for both. No peer serves this API, so the figures are absolute.
enum CatalogBenchmark {
    static func run(seconds: Int, rate: Double) async throws {
        let dataDir = benchDir + "/catalog/data"
        // The schema comes from the daemon itself (its migrations), then rows in bulk.
        let first = try BenchDaemon(dataDir: dataDir, quiet: true)
        _ = try first.startAndWaitReady()
        first.stop()
        let seedStart = Date()
        try seed(database: dataDir + "/kinora.sqlite", users: 10_000, creators: 2_000, videos: 100_000)
        print("catalog: seeded 10,000 users and 100,000 videos in \(formatted(Date().timeIntervalSince(seedStart))) s")

        let daemon = try BenchDaemon(dataDir: dataDir, quiet: true, config: "[rate_limit]\nenabled = false\n")
        _ = try daemon.startAndWaitReady()
        defer { daemon.stop() }
        let port = daemon.port

        // Later pages come from real cursors: walk a few pages of each sort first.
        var listings = [
            "/api/v1/videos?limit=20", "/api/v1/videos?limit=20&sort=most_viewed", "/api/v1/videos?limit=20&sort=title",
            "/api/v1/videos?limit=20&channel=c000000000000042", "/api/v1/videos?limit=20&tag=tag7",
            "/api/v1/videos?limit=20&min_duration=60&max_duration=600", "/api/v1/videos?limit=20&category=news",
        ]
        for base in listings.prefix(3) {
            var url = base
            for _ in 0..<5 {
                guard let cursor = try nextCursor(port: port, path: url) else { break }
                url = base + "&cursor=" + cursor
                listings.append(url)
            }
        }
        // Warm both paths once, so the first second does not measure page-cache misses.
        for path in listings { _ = try nextCursor(port: port, path: path) }

        let paths = listings
        let listing = try OpenLoopLoad(port: port, rate: rate, seconds: Double(seconds), connections: 16) { index in
            (paths[index % paths.count], [:])
        }.run()
        try report("listing (\(paths.count) sorts, filters and pages)", listing, rate: rate)

        let videoPage = try OpenLoopLoad(port: port, rate: rate, seconds: Double(seconds), connections: 16) { index in
            // Public and unlisted ids (every tenth video is private, a 404 to anonymous callers).
            let n = (index &* 7919) % 100_000
            return ("/api/v1/videos/" + videoID(n % 10 == 0 ? n + 1 : n), [:])
        }.run()
        try report("video page", videoPage, rate: rate)
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

    /// GET path and return its `next_cursor`.
    static func nextCursor(port: Int, path: String) throws -> String? {
        var connection = OpenLoopLoad.Connection(port: port)
        defer { connection.close() }
        guard let (status, body) = connection.getBody(path), status == 200 else { throw BenchError("GET \(path) failed") }
        let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        return (object?["next_cursor"] as? String)?.addingPercentEncoding(withAllowedCharacters: .alphanumerics)
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
        guard process.terminationStatus == 0 else { throw BenchError("sqlite3 seeding failed (\(process.terminationStatus))") }
    }
}
