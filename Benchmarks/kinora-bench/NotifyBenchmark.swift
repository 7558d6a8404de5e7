import Foundation
import KinoraStore
import KinoraTestSupport

/// Notifications (issue 19), release build, real plugins and peers on loopback:
///
/// - outbox throughput: `mails` messages queued, drained by the daemon through
///   `org.kinora.notify-smtp` (STARTTLS, AUTH, DKIM-signed, connections reused) into aiosmtpd
///   (Tests/Fixtures/python/smtp_peer.py, not verifying DKIM so the peer is not the limit), then
///   as many through `org.kinora.notify-webhook` (Standard Webhooks signatures) into
///   webhook_peer.py; messages per second; target at least 200 mails/s;
/// - fan-out: a channel with `subscribers` subscribers (each with a verified mail address)
///   publishes a video; the daemon enqueues a mail and an in-app notification for each
///   (kinora_notify_fanout_seconds on /metrics) while an open-loop load reads the catalog;
///   targets: the fan-out under 5 s, the catalog's p99 under 5 ms meanwhile.
///
/// No peer does this work, so the figures are absolute.
enum NotifyBenchmark {
    static func run(mails: Int, subscribers: Int, rate: Double) async throws {
        let root = benchDir + "/notify"
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let smtp = PythonPeer(script: "smtp_peer.py")
        try await smtp.start(["--out", root + "/mail.jsonl", "--cert-out", root + "/peer.pem", "--user", "bench", "--password", "bench password"])
        defer { smtp.stop() }
        let hook = PythonPeer(script: "webhook_peer.py")
        try await hook.start(["--secret", "bench secret", "--out", root + "/hooks.jsonl"])
        defer { hook.stop() }
        try await throughput(root: root, smtp: smtp.port, hook: hook.port, count: mails)
        try await fanOut(root: root, smtp: smtp.port, subscribers: subscribers, rate: rate)
    }

    static func channels(_ root: String, smtp: Int, hook: Int?) throws -> String {
        let plugins = root + "/plugins.d"
        try? FileManager.default.removeItem(atPath: plugins)
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: root + "/dkim.pem") {
            _ = try capture("/usr/bin/openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", root + "/dkim.pem"])
        }
        var files = [
            "media.toml": "plugin = \"org.kinora.storage-local\"\n[settings]\nroot = \"\(root)/media\"\ncreate_root = true\n",
            "hls.toml": "plugin = \"org.kinora.packager-hls\"\n",
            "mail.toml": """
                plugin = "org.kinora.notify-smtp"
                [settings]
                host = "127.0.0.1"
                port = \(smtp)
                username = "bench"
                password = "bench password"
                from = "Kinora <noreply@bench.example>"
                ca_file = "\(root)/peer.pem"
                dkim_selector = "b1"
                dkim_domain = "bench.example"
                dkim_key_file = "\(root)/dkim.pem"
                """,
        ]
        if let hook {
            files = ["hook.toml": "plugin = \"org.kinora.notify-webhook\"\n[settings]\nurl = \"http://127.0.0.1:\(hook)/hook\"\nsecret = \"bench secret\"\n"]
            files["media.toml"] = "plugin = \"org.kinora.storage-local\"\n[settings]\nroot = \"\(root)/media\"\ncreate_root = true\n"
            files["hls.toml"] = "plugin = \"org.kinora.packager-hls\"\n"
        }
        for (name, text) in files { try text.write(toFile: plugins + "/" + name, atomically: true, encoding: .utf8) }
        return "[rate_limit]\nenabled = false\n[server]\npublic_url = \"https://bench.example\"\n"
    }

    /// Seeds `count` accounts `n0…` with verified addresses and `count` messages for `channel`
    /// (personal ones for mail, one per key for the webhook), then times their drain.
    static func throughput(root: String, smtp: Int, hook: Int, count: Int) async throws {
        for (channel, label) in [("mail", "mails to aiosmtpd"), ("hook", "webhook events to webhook_peer.py")] {
            let dataDir = root + "/data-\(channel)"
            let config = try channels(root, smtp: smtp, hook: channel == "hook" ? hook : nil)
            let first = try BenchDaemon(dataDir: dataDir, quiet: true, config: config)
            _ = try first.startAndWaitReady(timeout: 60)
            first.stop()
            try CatalogBenchmark.sqliteShell(
                database: dataDir + "/kinora.sqlite",
                """
                BEGIN;
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < \(count))
                INSERT INTO users(id, username, display_name, role, password_hash, disabled, created_at, email, email_verified)
                  SELECT printf('n%d', i), printf('reader%d', i), printf('Reader %d', i), 'viewer', 'x', 0, '2026-01-01 00:00:00.000',
                         printf('reader%d@bench.example', i), 1 FROM n;
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < \(count))
                INSERT INTO notification_outbox(idempotency_key, user_id, event, channel, data, next_attempt_at, created_at, updated_at)
                  SELECT printf('bench-%d', i), \(channel == "mail" ? "printf('n%d', i)" : "NULL"), 'comment.reply', '\(channel)',
                         '{"video_id":"v1","video_title":"Night trains","actor_name":"Cora","excerpt":"Lovely","comment_id":"c1"}',
                         '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000' FROM n;
                COMMIT;
                """, what: "seeding the outbox")
            let daemon = try BenchDaemon(dataDir: dataDir, quiet: true, config: config)
            let started = DispatchTime.now().uptimeNanoseconds
            _ = try daemon.startAndWaitReady(timeout: 60)
            let database = try KinoraDatabase(path: dataDir + "/kinora.sqlite")
            var counts: [String: Int] = [:]
            while true {
                counts = try database.outbox.counts()
                if (counts["pending"] ?? 0) + (counts["sending"] ?? 0) == 0 { break }
                guard Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 < 600 else { throw BenchError("the outbox did not drain: \(counts)") }
                usleep(20_000)
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            daemon.stop()
            guard counts["delivered"] == count else { throw BenchError("\(channel): not everything was delivered: \(counts)") }
            let perSecond = Double(count) / seconds
            print(
                "notify outbox \(label): \(count) in \(formatted(seconds, 2)) s (daemon start included) = \(Int(perSecond)) messages/s"
                    + (channel == "mail" ? " (target at least 200 mails/s: \(perSecond >= 200 ? "met" : "missed"))" : ""))
        }
    }

    static func fanOut(root: String, smtp: Int, subscribers: Int, rate: Double) async throws {
        let dataDir = root + "/data-fanout"
        let config = try channels(root, smtp: smtp, hook: nil)
        let first = try BenchDaemon(dataDir: dataDir, quiet: true, config: config)
        _ = try first.startAndWaitReady(timeout: 60)
        let token = try first.account("maker", role: "creator", dataDir: dataDir)
        first.stop()
        try CatalogBenchmark.seed(database: dataDir + "/kinora.sqlite", users: subscribers, creators: 2_000, videos: 100_000)
        try CatalogBenchmark.sqliteShell(
            database: dataDir + "/kinora.sqlite",
            """
            BEGIN;
            UPDATE users SET email = username || '@bench.example', email_verified = 1 WHERE id LIKE 'u%';
            INSERT INTO subscriptions(user_id, channel_id, created_at)
              SELECT u.id, c.id, '2026-01-01 00:00:00.000' FROM users u, channels c JOIN users o ON o.id = c.owner_id
              WHERE o.username = 'maker' AND u.id LIKE 'u%';
            COMMIT;
            """, what: "seeding the subscribers")
        let daemon = try BenchDaemon(dataDir: dataDir, quiet: true, config: config)
        _ = try daemon.startAndWaitReady(timeout: 60)
        defer { daemon.stop() }
        let clip = benchDir + "/notify-clip.mp4"
        _ = try capture(
            "/usr/bin/ffmpeg",
            ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=frequency=440",
             "-t", "2", "-c:v", "libx264", "-g", "25", "-c:a", "aac", "-shortest", clip])
        // The catalog under load the whole time; the video is uploaded three seconds in (the
        // second and third are the quiet baseline).
        let paths = ["/api/v1/videos?limit=20", "/api/v1/videos?limit=20&sort=most_viewed", "/api/v1/videos?limit=20&category=news"]
        let resultBox = LockedResult()
        let loader = Thread {
            resultBox.set(Result {
                try OpenLoopLoad(port: daemon.port, rate: rate, seconds: 14, connections: 16) { index in (paths[index % paths.count], [:]) }.run()
            })
        }
        let loadStarted = DispatchTime.now().uptimeNanoseconds
        loader.start()
        sleep(3)
        let uploadStarted = DispatchTime.now().uptimeNanoseconds
        var form = MultipartBody()
        form.field("title", "Night trains")
        form.file("file", filename: "clip.mp4", contentType: "video/mp4", data: Array(try Data(contentsOf: URL(fileURLWithPath: clip))))
        let created = try HTTPResult.fetch(
            port: daemon.port, method: "POST", path: "/api/v1/videos",
            headers: ["Authorization": "Bearer \(token)", "Content-Type": form.contentType], body: form.finished())
        guard created.status == 201 else { throw BenchError("upload: \(created.status) \(created.body)") }
        var fanout: Double?
        let deadline = DispatchTime.now().uptimeNanoseconds + 60_000_000_000
        while fanout == nil, DispatchTime.now().uptimeNanoseconds < deadline {
            let metrics = try HTTPResult.fetch(port: daemon.port, method: "GET", path: "/metrics").body
            fanout = metrics.split(separator: "\n").first { $0.hasPrefix("kinora_notify_fanout_seconds_sum{event=\"video.published\"}") }
                .flatMap { Double($0.split(separator: " ").last ?? "") }
            if fanout == nil { usleep(50_000) }
        }
        guard let fanout else { throw BenchError("the fan-out never happened") }
        while resultBox.get() == nil { usleep(100_000) }
        let result = try resultBox.get()!.get()
        try result.requireOnly(200, what: "notify catalog load")
        let database = try KinoraDatabase(path: dataDir + "/kinora.sqlite")
        let queued = try database.sql.read { try $0.scalar(Int.self, "SELECT COUNT(*) FROM notification_outbox WHERE event = 'video.published'") } ?? 0
        let inbox = try database.sql.read { try $0.scalar(Int.self, "SELECT COUNT(*) FROM notifications WHERE event = 'video.published'") } ?? 0
        // The requests due while the fan-out ran: it starts at its rows' created_at (the
        // daemon's clock, which is this one) and lasts what the metric says.
        guard let began = try database.sql.read({ try $0.scalar(Date.self, "SELECT MIN(created_at) FROM notifications WHERE event = 'video.published'") })
        else { throw BenchError("no in-app notification was written") }
        let uptimeNow = DispatchTime.now().uptimeNanoseconds
        let from = uptimeNow - UInt64(Date().timeIntervalSince(began) * 1e9)
        let during = result.window(from: from, to: from + UInt64(fanout * 1e9))
        let p99 = during.percentile(99)
        // The same load before the upload, after a second's warm-up: what the catalog costs here
        // with nothing else running.
        let quiet = result.window(from: loadStarted + 1_000_000_000, to: uploadStarted)
        // How many listings the page cache answered (a listing it misses costs about three times the CPU).
        let metrics = try HTTPResult.fetch(port: daemon.port, method: "GET", path: "/metrics").body
        func pages(_ result: String) -> Int {
            metrics.split(separator: "\n").first { $0.hasPrefix("kinora_catalog_page_cache_total{result=\"\(result)\"}") }
                .flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) } ?? 0
        }
        print(
            "notify fan-out: \(queued) mails and \(inbox) in-app notifications for \(subscribers) subscribers enqueued in \(formatted(fanout, 2)) s (target < 5 s: \(fanout < 5 ? "met" : "missed")); catalog at \(Int(rate)) req/s open-loop during it: p50 \(formatted(during.percentile(50), 2)) ms, p99 \(formatted(p99, 2)) ms over \(during.latenciesMs.count) requests (target p99 < 5 ms: \(p99 < 5 ? "met" : "missed")); before the upload p50 \(formatted(quiet.percentile(50), 2)) ms, p99 \(formatted(quiet.percentile(99), 2)) ms over \(quiet.latenciesMs.count) requests; over the whole 14 s (upload, transcode, then the 100,000 mails going out): p50 \(formatted(result.percentile(50), 2)) ms, p99 \(formatted(result.percentile(99), 2)) ms; listings answered from the page cache: \(pages("hit")) of \(pages("hit") + pages("miss"))"
        )
    }
}

/// The load thread's result, handed back to the benchmark's thread.
final class LockedResult: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<OpenLoopLoad.Result, Error>?
    func set(_ result: Result<OpenLoopLoad.Result, Error>) { lock.withLock { value = result } }
    func get() -> Result<OpenLoopLoad.Result, Error>? { lock.withLock { value } }
}
