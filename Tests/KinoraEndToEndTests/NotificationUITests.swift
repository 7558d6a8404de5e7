import Foundation
import KinoraTestSupport
import Testing

/// The bell, the notifications page and the console's notifications page in Debian's
/// chromium (Tests/Fixtures/python/notification_flows.py) against the real daemon, whose
/// channel is the signed webhook to a peer of the tests.
@Suite(.serialized) struct NotificationUITests {
    @Test func theBellCountsLiveTheChoicesSaveAndTheAdminTestsAChannelInChromium() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("notify-ui")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let peer = PythonPeer(script: "webhook_peer.py")
        try await peer.start(["--secret", NotificationDrainTests.secret, "--out", dir + "/hooks.jsonl"])
        defer { peer.stop() }
        let config = try NotificationDrainTests.config(dir, peer: peer.port)
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", config, "--share-dir", WebUITests.share])
        try await daemon.start()
        let cora = try NotificationMailTests.account(daemon, "cora", role: "creator")
        let vic = try NotificationMailTests.account(daemon, "vic", role: "viewer")
        _ = try NotificationMailTests.account(daemon, "root", role: "admin")
        let video = try daemon.uploadVideo(try VideoUploadTests.makeClip(dir + "/clip.mp4", seconds: 1), fields: ["title": "Harbour"], token: cora.token)
        let mine = try daemon.api("POST", "/api/v1/videos/\(video)/comments", token: vic.token, ["body": "First!"]).object()
        let parent = try #require(mine["id"] as? String)
        for text in ["Thanks vic", "Welcome back"] {
            #expect(try daemon.api("POST", "/api/v1/videos/\(video)/comments", token: cora.token, ["body": text, "parent_id": parent]).status == 201)
        }
        let shots = dir + "/screenshots"
        let setup: [String: Any] = [
            "viewer": "vic", "viewer_password": "password-vic-long", "admin": "root", "admin_password": "password-root-long", "unread": 2,
            "reply": ["url": "/api/v1/videos/\(video)/comments", "token": cora.token, "body": "A live reply arrives", "parent_id": parent],
            "channel": "hook",
        ]
        let result = try await TestEnvironment.runOffPool(
            try TestEnvironment.testPython(),
            [
                TestEnvironment.pythonFixture("notification_flows.py"), "http://127.0.0.1:\(daemon.port)",
                String(decoding: try JSONSerialization.data(withJSONObject: setup), as: UTF8.self), shots,
            ])
        let report = result.output.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(result.status == 0 && report?["ok"] as? Bool == true, "the notification flows failed; screenshots are in \(shots)\n\(result.output)")

        // What the browser chose, as the API reads it.
        let choices = try daemon.api("GET", "/api/v1/me/notification-preferences", token: vic.token).object()
        let reply = (choices["events"] as? [String: Any])?["comment.reply"] as? [String: Bool]
        #expect(reply?["email"] == false && reply?["in_app"] == true, "\(choices)")
        #expect((choices["quiet_hours"] as? [String: Any])?["start"] as? String == "22:00", "\(choices)")
        #expect(try daemon.api("GET", "/api/v1/me/notifications", token: vic.token).object()["unread_count"] as? Int == 0)
        #expect(try await daemon.stop() == 0)
    }
}
