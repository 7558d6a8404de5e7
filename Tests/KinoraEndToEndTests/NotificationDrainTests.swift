import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

/// 10,000 queued notifications drain through the webhook channel (`org.kinora.notify-webhook`)
/// to a peer that fails 30% of the requests (retryable 500 and 429 twice, then accepts them;
/// permanent 400): nothing lost, nothing sent twice; then 10,000 more with a `kill -9` of the
/// daemon halfway, after which only the messages in flight at the kill are sent again, with
/// the same idempotency key, which the peer recognises.
@Suite(.serialized) struct NotificationDrainTests {
    static let secret = "whsec_" + Data("drain test secret 0123456789".utf8).base64EncodedString()

    static func config(_ dir: String, peer: Int) throws -> String {
        try FileManager.default.createDirectory(atPath: dir + "/etc/plugins.d", withIntermediateDirectories: true)
        let files = [
            "kinora.toml": """
                [notifications]
                retry_base_seconds = 0.05
                retry_max_seconds = 0.2
                max_attempts = 5
                """,
            "plugins.d/media.toml": "plugin = \"org.kinora.storage-local\"\n[settings]\nroot = \"\(dir)/media\"\ncreate_root = true\n",
            "plugins.d/hls.toml": "plugin = \"org.kinora.packager-hls\"\n",
            "plugins.d/hook.toml": "plugin = \"org.kinora.notify-webhook\"\n[settings]\nurl = \"http://127.0.0.1:\(peer)/hook\"\nsecret = \"\(secret)\"\n",
        ]
        for (name, text) in files { try text.write(toFile: dir + "/etc/" + name, atomically: true, encoding: .utf8) }
        return dir + "/etc/kinora.toml"
    }

    /// `count` messages for the webhook, keys `prefix0`…, written before the daemon starts.
    static func enqueue(_ dataDir: String, prefix: String, count: Int) throws {
        let database = try KinoraDatabase(path: dataDir + "/kinora.sqlite")
        try database.migrate()
        let now = Date()
        try database.sql.write { db in
            for index in 0..<count {
                try db.execute(
                    """
                    INSERT INTO notification_outbox(idempotency_key, event, channel, data, next_attempt_at, created_at, updated_at)
                    VALUES (?, 'video.published', 'hook', ?, ?, ?, ?)
                    """, ["\(prefix)\(index)", #"{"video_id":"v\#(index)","video_title":"Clip \#(index)"}"#, now, now, now])
            }
        }
    }

    struct PeerView {
        /// Per id: how many times the peer accepted it (2xx) and answered a planned 400.
        var accepted: [String: Int] = [:]
        var refused: Set<String> = []
        var unverified = 0
    }

    static func peerView(_ file: String, prefix: String) -> PeerView {
        var view = PeerView()
        for line in ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n") {
            guard let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let id = record["id"] as? String, id.hasPrefix(prefix)
            else { continue }
            if record["verified"] as? Bool != true { view.unverified += 1 }
            let status = record["status"] as? Int ?? 0
            if (200..<300).contains(status) { view.accepted[id, default: 0] += 1 }
            if status == 400 { view.refused.insert(id) }
        }
        return view
    }

    static func states(_ dataDir: String, prefix: String) throws -> [String: String] {
        let database = try KinoraDatabase(path: dataDir + "/kinora.sqlite")
        return try database.sql.read { db in
            var states: [String: String] = [:]
            for row in try db.fetchAll("SELECT idempotency_key, state FROM notification_outbox WHERE idempotency_key LIKE ?", [prefix + "%"]) {
                states[try row.value("idempotency_key")] = try row.value("state")
            }
            return states
        }
    }

    /// Waits until no message of `prefix` is pending or being sent.
    static func drained(_ dataDir: String, prefix: String, timeout: Duration) async throws -> Bool {
        try await TestEnvironment.pollOffPool(timeout: timeout, interval: .milliseconds(500)) { () -> Bool? in
            let open = try states(dataDir, prefix: prefix).values.filter { $0 == "pending" || $0 == "sending" }.count
            return open == 0 ? true : nil
        } ?? false
    }

    @Test func tenThousandDrainThroughAFlakyPeerOnceEachAndAgainAcrossAKill() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("notify-drain")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let peer = PythonPeer(script: "webhook_peer.py")
        try await peer.start(["--secret", Self.secret, "--out", dir + "/hooks.jsonl", "--fail", "500=0.15,429=0.05,400=0.10", "--fail-times", "2"])
        defer { peer.stop() }
        let config = try Self.config(dir, peer: peer.port)
        let data = dir + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)

        // Without a kill: each message reaches the peer once, the refused ones fail for good.
        try Self.enqueue(data, prefix: "a-", count: 10_000)
        let daemon = try DaemonProcess(dataDir: data, arguments: ["--config", config])
        try await daemon.start()
        #expect(try await Self.drained(data, prefix: "a-", timeout: .seconds(300)), "\(daemon.log.suffix(2000))")
        #expect(try await daemon.stop() == 0)
        let first = Self.peerView(dir + "/hooks.jsonl", prefix: "a-")
        let firstStates = try Self.states(data, prefix: "a-")
        let delivered = Set(firstStates.filter { $0.value == "delivered" }.keys)
        let failed = Set(firstStates.filter { $0.value == "failed" }.keys)
        #expect(delivered.count + failed.count == 10_000, "every message delivered or failed: \(firstStates.values.reduce(into: [:]) { $0[$1, default: 0] += 1 })")
        #expect(Set(first.accepted.keys) == delivered, "what the peer accepted is what the outbox says was delivered")
        #expect(first.accepted.values.allSatisfy { $0 == 1 }, "accepted twice: \(first.accepted.filter { $0.value > 1 }.keys.prefix(5))")
        #expect(failed == first.refused, "the permanently refused, and only they, failed")
        #expect((800...1200).contains(failed.count), "about 10% are refused for good: \(failed.count)")
        #expect(first.unverified == 0, "every request carried a valid signature")

        // With a kill -9 halfway: nothing lost; only what was in flight is sent again.
        try Self.enqueue(data, prefix: "b-", count: 10_000)
        let second = try DaemonProcess(dataDir: data, arguments: ["--config", config])
        try await second.start()
        let halfway = try await TestEnvironment.pollOffPool(timeout: .seconds(300), interval: .milliseconds(20)) { () -> Bool? in
            guard Self.peerView(dir + "/hooks.jsonl", prefix: "b-").accepted.count >= 5_000 else { return nil }
            second.killHard()
            return true
        }
        #expect(halfway == true, "the second batch never got halfway:\n\(second.log.suffix(2000))")
        let third = try DaemonProcess(dataDir: data, arguments: ["--config", config])
        try await third.start()
        #expect(try await Self.drained(data, prefix: "b-", timeout: .seconds(300)), "\(third.log.suffix(2000))")
        #expect(third.log.contains("resending"), "the restart takes back what was being sent")
        #expect(try await third.stop() == 0)
        let after = Self.peerView(dir + "/hooks.jsonl", prefix: "b-")
        let afterStates = try Self.states(data, prefix: "b-")
        let deliveredAfter = Set(afterStates.filter { $0.value == "delivered" }.keys)
        #expect(afterStates.count == 10_000 && afterStates.values.allSatisfy { $0 == "delivered" || $0 == "failed" })
        #expect(Set(after.accepted.keys) == deliveredAfter, "nothing lost: every accepted message is recorded delivered and the reverse")
        let twice = after.accepted.filter { $0.value > 1 }
        // Claimed in batches of 4 by 8 loops: at most 32 were in flight when the kill landed.
        #expect(twice.count <= 32 && twice.values.allSatisfy { $0 == 2 }, "sent again: \(twice.count)")
        #expect(Set(afterStates.filter { $0.value == "failed" }.keys) == after.refused)
    }
}
