import Foundation
import KinoraTestSupport
import Testing

/// Web Push and SMS through the real daemon: a browser's subscription (made by a push service
/// written in the tests, which checks the VAPID token and decrypts every push with PyPI
/// `http_ece`), a phone number verified by the code a Twilio-shaped endpoint received, a new
/// video pushed and texted, a subscription the service says is gone forgotten, the gateway's
/// signed status callbacks accepted and forged ones refused.
@Suite(.serialized) struct NotificationPushSMSTests {
    static let publicURL = "https://kinora.example"
    static let sid = "AC0123456789abcdef0123456789abcdef"
    static let authToken = "twilio auth token 1"

    static func config(_ dir: String, push: Int, twilio: Int) throws -> String {
        try FileManager.default.createDirectory(atPath: dir + "/etc/plugins.d", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/data/notify", withIntermediateDirectories: true)
        let files = [
            "kinora.toml": """
                [server]
                public_url = "\(publicURL)"
                [rate_limit]
                enabled = false
                [notifications]
                retry_base_seconds = 0.2
                retry_max_seconds = 1
                """,
            "plugins.d/media.toml": "plugin = \"org.kinora.storage-local\"\n[settings]\nroot = \"\(dir)/media\"\ncreate_root = true\n",
            "plugins.d/hls.toml": "plugin = \"org.kinora.packager-hls\"\n",
            "plugins.d/push.toml": """
                plugin = "org.kinora.notify-webpush"
                [settings]
                subject = "mailto:ops@kinora.example"
                key_file = "\(dir)/data/notify/vapid.pem"
                allow_insecure_endpoints = true
                """,
            "plugins.d/sms.toml": """
                plugin = "org.kinora.notify-sms"
                [settings]
                api_base = "http://127.0.0.1:\(twilio)"
                account_sid = "\(sid)"
                auth_token = "\(authToken)"
                from = "+15005550006"
                status_callback_url = "\(publicURL)/api/v1/notify/callbacks/sms"
                """,
        ]
        for (name, text) in files { try text.write(toFile: dir + "/etc/" + name, atomically: true, encoding: .utf8) }
        return dir + "/etc/kinora.toml"
    }

    static func lines(_ file: String) -> [[String: Any]] {
        ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    static func waitForLines(_ file: String, count: Int, timeout: Duration = .seconds(60)) async throws -> [[String: Any]] {
        _ = try await TestEnvironment.pollOffPool(timeout: timeout, interval: .milliseconds(100)) { () -> Bool? in
            lines(file).count >= count ? true : nil
        }
        return lines(file)
    }

    @Test func aNewVideoIsPushedAndTextedAndCallbacksAreVerified() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("notify-push-sms")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let push = PythonPeer(script: "push_service.py")
        try await push.start(["--out", dir + "/pushes.jsonl"])
        defer { push.stop() }
        let twilio = PythonPeer(script: "twilio_peer.py")
        try await twilio.start([
            "--account-sid", Self.sid, "--auth-token", Self.authToken, "--out", dir + "/sms.jsonl", "--callbacks-out", dir + "/callbacks.jsonl",
        ])
        defer { twilio.stop() }
        let config = try Self.config(dir, push: push.port, twilio: twilio.port)
        let conformance = try await TestEnvironment.runOffPool(
            TestEnvironment.kinoraExecutable, ["plugin", "conformance", "push", "--config", config, "--data-dir", dir + "/data"])
        #expect(conformance.status == 0 && conformance.output.contains("kinora.notify/1 (push, org.kinora.notify-webpush)"), "\(conformance.output)")
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", config])
        try await daemon.start()
        let cora = try NotificationMailTests.account(daemon, "cora", role: "creator")
        let fan = try NotificationMailTests.account(daemon, "fan", role: "viewer")

        // The channels a client may set up, with the VAPID key the browser subscribes with.
        let channels = try daemon.api("GET", "/api/v1/notify/channels", token: fan.token).object()
        let pushChannel = (channels["items"] as? [[String: Any]])?.first { $0["address_kind"] as? String == "webpush" }
        let serverKey = try #require((pushChannel?["info"] as? [String: Any])?["application_server_key"] as? String, "\(channels)")
        #expect(serverKey.count == 87, "a base64url uncompressed P-256 key: \(serverKey)")

        // Two browsers subscribe; the push service will say the second one is gone.
        let browser = try push.request("GET", "/new-subscription").object()
        let expired = try push.request("GET", "/new-subscription?kind=gone").object()
        for subscription in [browser, expired] {
            let added = try daemon.api("POST", "/api/v1/me/push-subscriptions", token: fan.token, subscription)
            #expect(added.status == 201, "\(added.status) \(added.body)")
        }
        var broken = browser
        broken["keys"] = ["p256dh": "AAAA", "auth": (browser["keys"] as? [String: Any])?["auth"] ?? ""]
        let refused = try daemon.api("POST", "/api/v1/me/push-subscriptions", token: fan.token, broken)
        let refusal = try refused.object()
        #expect(refused.status == 422 && refusal["field"] as? String == "keys.p256dh", "\(refused.body)")

        // A phone number, proved by the texted code; a wrong code and a bad number are refused.
        #expect(try daemon.api("PUT", "/api/v1/me/phone", token: fan.token, ["number": "555-0100"]).status == 422)
        #expect(try daemon.api("PUT", "/api/v1/me/phone", token: fan.token, ["number": "+15551230000"]).status == 202)
        let texted = try await Self.waitForLines(dir + "/sms.jsonl", count: 1)
        let codeText = try #require(texted.first?["body"] as? String)
        let code = try #require(codeText.split(separator: " ").first { $0.count == 7 && $0.hasSuffix(".") }.map { String($0.dropLast()) }, "\(codeText)")
        #expect(texted.first?["to"] as? String == "+15551230000")
        let wrong = code == "000000" ? "111111" : "000000"
        #expect(try daemon.api("POST", "/api/v1/me/phone/verify", token: fan.token, ["code": wrong]).status == 422)
        #expect(try daemon.api("POST", "/api/v1/me/phone/verify", token: fan.token, ["code": code]).status == 200)
        #expect(try daemon.api("GET", "/api/v1/me/phone", token: fan.token).object()["verified"] as? Bool == true)
        // Text messages are off until chosen.
        let chose = try daemon.api("PUT", "/api/v1/me/notification-preferences", token: fan.token, ["video.published": ["phone": true]])
        #expect(chose.status == 200, "\(chose.body)")

        let channel = try #require((try daemon.api("GET", "/api/v1/me/channels", token: cora.token).object()["items"] as? [[String: Any]])?.first?["id"] as? String)
        #expect(try daemon.api("PUT", "/api/v1/channels/\(channel)/subscription", token: fan.token).status == 201)
        let video = try daemon.uploadVideo(try VideoUploadTests.makeClip(dir + "/clip.mp4"), fields: ["title": "Night trains"], token: cora.token)
        _ = try await PlaybackTests.waitUntilReady(daemon, id: video)

        // Pushed: the service checked the VAPID token and decrypted the payload.
        let pushes = try await Self.waitForLines(dir + "/pushes.jsonl", count: 2)
        let delivered = try #require(pushes.first { ($0["path"] as? String)?.hasPrefix("/push/") == true }, "\(pushes)")
        #expect(delivered["vapid"] as? Bool == true, "\(delivered)")
        #expect(delivered["vapid_k"] as? String == serverKey)
        let payload = try #require(delivered["payload"] as? [String: Any], "\(delivered)")
        #expect((payload["title"] as? String)?.contains("Night trains") == true && (payload["url"] as? String)?.hasSuffix("/watch/\(video)") == true, "\(payload)")
        // The gone one answered 410, and the account's list forgets it.
        let forgotten = try await TestEnvironment.pollOffPool(timeout: .seconds(20)) { () -> Bool? in
            let items = (try? daemon.api("GET", "/api/v1/me/push-subscriptions", token: fan.token).object()["items"] as? [[String: Any]]) ?? []
            return items.count == 1 ? true : nil
        }
        #expect(forgotten == true, "the gone subscription is still listed")

        // Texted, and the gateway's signed status callbacks reach the channel; a forged one is refused.
        let sms = try await Self.waitForLines(dir + "/sms.jsonl", count: 2)
        #expect((sms.last?["body"] as? String)?.contains("Night trains") == true, "\(sms)")
        let callbacks = try await Self.waitForLines(dir + "/callbacks.jsonl", count: 2)
        for callback in callbacks {
            let url = try #require(callback["url"] as? String)
            let headers = (callback["headers"] as? [String: String] ?? [:]).filter { ["content-type", "x-twilio-signature"].contains($0.key) }
            let answered = try daemon.request(
                "POST", url.replacingOccurrences(of: Self.publicURL, with: ""), headers: headers, body: Array((callback["body"] as? String ?? "").utf8))
            #expect(answered.status == 204, "\(answered.status) \(answered.body)")
        }
        let first = try #require(callbacks.first)
        var forged = first["headers"] as? [String: String] ?? [:]
        forged["x-twilio-signature"] = "AAAA" + (forged["x-twilio-signature"] ?? "").dropFirst(4)
        let forgery = try daemon.request(
            "POST", (first["url"] as? String ?? "").replacingOccurrences(of: Self.publicURL, with: ""),
            headers: forged.filter { ["content-type", "x-twilio-signature"].contains($0.key) }, body: Array((first["body"] as? String ?? "").utf8))
        let forgeryProblem = try forgery.object()
        #expect(forgery.status == 403 && (forgeryProblem["type"] as? String)?.hasSuffix("/bad-callback-signature") == true, "\(forgery.body)")

        // A scheduled video is announced when its time comes, not when it is ready.
        let releaseAt = Date().addingTimeInterval(15)
        let scheduled = try daemon.uploadVideo(
            try VideoUploadTests.makeClip(dir + "/clip.mp4"), fields: ["title": "Dawn trains", "publish_at": ISO8601DateFormatter().string(from: releaseAt)],
            token: cora.token)
        _ = try await PlaybackTests.waitUntilReady(daemon, id: scheduled)
        @Sendable func announced() throws -> Bool {
            let items = try daemon.api("GET", "/api/v1/me/notifications", token: fan.token).object()["items"] as? [[String: Any]] ?? []
            return items.contains { ($0["data"] as? [String: Any])?["video_id"] as? String == scheduled }
        }
        // (A transcode slower than the 15 s leaves nothing to check before the release.)
        if Date() < releaseAt.addingTimeInterval(-1) { #expect(try !announced(), "announced before its release time") }
        let heard = try await TestEnvironment.pollOffPool(timeout: .seconds(60)) { () -> Bool? in (try? announced()) == true ? true : nil }
        #expect(heard == true, "the scheduled video was never announced")
        #expect(Date() >= releaseAt)
        #expect(try await daemon.stop() == 0)
    }
}
