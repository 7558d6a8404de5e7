import Foundation
import KinoraTestSupport
import Testing

/// A video's pictures through the real daemon: the image moderation plugin configured in
/// plugins.d with a model the test makes (its score is how much redder than blue a picture
/// is), and `[moderation] classifiers = ["wordlist", "images"]`. A mostly red clip is held
/// (hidden from everyone but its owner and moderators) and lands in the moderation queue with
/// the image classifier's signal once it is ready, until a moderator approves it; a blue clip
/// stays public and out of the queue. (Removal above `remove_score`: VideoScreeningTests.)
@Suite(.serialized) struct ImageModerationTests {
    static func config(_ dir: String, model: String) throws -> String {
        try FileManager.default.createDirectory(atPath: dir + "/etc/plugins.d", withIntermediateDirectories: true)
        let files = [
            "kinora.toml": """
                [rate_limit]
                enabled = false
                [moderation]
                classifiers = ["wordlist", "images"]
                classifier_timeout_ms = 30000
                hold_score = 0.5
                remove_score = 1.0
                """,
            "plugins.d/media.toml": "plugin = \"org.kinora.storage-local\"\n[settings]\nroot = \"\(dir)/media\"\ncreate_root = true\n",
            "plugins.d/hls.toml": "plugin = \"org.kinora.packager-hls\"\n",
            "plugins.d/wordlist.toml": "plugin = \"org.kinora.moderation-wordlist\"\n[settings]\nwords = [\"scam\"]\n",
            "plugins.d/images.toml": "plugin = \"org.kinora.moderation-image\"\n[settings]\nmodel = \"\(model)\"\ninput_width = 128\ninput_height = 128\n",
        ]
        for (name, text) in files { try text.write(toFile: dir + "/etc/" + name, atomically: true, encoding: .utf8) }
        return dir + "/etc/kinora.toml"
    }

    /// A 2 s clip of one colour with a small white box moving across it, and a tone.
    static func clip(_ path: String, colour: String) throws -> [UInt8] {
        let result = try TestEnvironment.run(
            "/usr/bin/ffmpeg",
            [
                "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=\(colour):s=320x180:r=25:d=2",
                "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
                "-vf", "drawbox=x=t*100:y=60:w=40:h=40:color=white:t=fill",
                "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", path,
            ])
        guard result.status == 0 else { throw TestFailure("ffmpeg could not make a \(colour) clip: \(result.output)") }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func upload(_ daemon: DaemonProcess, _ data: [UInt8], title: String, token: String) throws -> String {
        var form = MultipartBody()
        form.field("title", title)
        form.file("file", filename: "\(title).mp4", contentType: "video/mp4", data: data)
        let result = try daemon.request(
            "POST", "/api/v1/videos", headers: AuthTests.bearer(token).merging(["Content-Type": form.contentType]) { $1 }, body: form.finished())
        let id = (result.json as? [String: Any])?["id"] as? String
        return try #require(id, "upload: \(result.status) \(result.body)")
    }

    /// Waits, as the owner (a removed video is private), until the video is ready: moderation
    /// of its pictures is done by then.
    func waitUntilReady(_ daemon: DaemonProcess, _ id: String, token: String) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(180)
        while ContinuousClock.now < deadline {
            let video = try #require(try daemon.get("/api/v1/videos/\(id)", headers: AuthTests.bearer(token)).json as? [String: Any])
            switch video["status"] as? String {
            case "ready": return video
            case "failed": throw TestFailure("transcode failed: \(video["error"] ?? "?")\n\(daemon.log)")
            default: try await Task.sleep(for: .milliseconds(250))
            }
        }
        throw TestFailure("video \(id) not ready within 180 s\n\(daemon.log)")
    }

    @Test func aRedClipIsHeldWithTheImageSignalUntilApprovedAndABlueOneStays() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("image-moderation")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = try TestEnvironment.makeColorModel(dir + "/redness.onnx")
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", try Self.config(dir, model: model)])
        try await daemon.start()
        for (name, role) in [("cora", "creator"), ("mona", "moderator")] {
            #expect(try AuthTests.addUser(daemon, name, role: role, password: "password-\(name)-long").status == 0)
        }
        let cora = try AuthTests.tokens(try AuthTests.login(daemon, "cora", "password-cora-long")).access
        let mona = try AuthTests.tokens(try AuthTests.login(daemon, "mona", "password-mona-long")).access

        let red = try upload(daemon, try Self.clip(dir + "/red.mp4", colour: "red"), title: "Red", token: cora)
        let blue = try upload(daemon, try Self.clip(dir + "/blue.mp4", colour: "blue"), title: "Blue", token: cora)
        let redVideo = try await waitUntilReady(daemon, red, token: cora)
        _ = try await waitUntilReady(daemon, blue, token: cora)

        // The red clip is held: its owner still sees it as she set it, everyone else gets 404…
        #expect(redVideo["visibility"] as? String == "public", "\(redVideo)")
        #expect(try daemon.get("/api/v1/videos/\(red)").status == 404, "hidden from everyone else")
        let listed = try #require(try daemon.get("/api/v1/videos").json as? [String: Any])
        #expect(!((listed["items"] as? [[String: Any]]) ?? []).contains { $0["id"] as? String == red }, "out of the listing")
        // …and is in the queue with the image classifier's signal, naming each picture.
        let queue = try #require(try daemon.get("/api/v1/moderation/queue", headers: AuthTests.bearer(mona)).json as? [String: Any])
        let items = try #require(queue["items"] as? [[String: Any]], "\(queue)")
        let item = try #require(items.first { $0["target_type"] as? String == "video" && $0["target_id"] as? String == red }, "\(items)")
        #expect(item["hidden"] as? Bool == true)
        let signals = try #require(item["signals"] as? [[String: Any]])
        let imageSignals = signals.filter { $0["kind"] as? String == "classifier" && $0["source"] as? String == "images" }
        #expect(Set(imageSignals.compactMap { $0["detail"] as? String }).count == 5, "the five frames, the poster among them: \(imageSignals)")
        #expect(imageSignals.allSatisfy { $0["label"] as? String == "nsfw" && ($0["score"] as? Double ?? 0) > 0.9 }, "\(imageSignals)")
        #expect(imageSignals.contains { ($0["detail"] as? String)?.hasSuffix("(poster)") == true }, "the poster is among them: \(imageSignals)")
        #expect(imageSignals.allSatisfy { ($0["detail"] as? String)?.hasPrefix("thumbs/") == true }, "\(imageSignals)")
        #expect(signals.contains { $0["kind"] as? String == "rule" && ($0["detail"] as? String)?.contains("hold_score") == true }, "\(signals)")
        #expect(!signals.contains { $0["source"] as? String == "wordlist" }, "the word list passes on pictures: \(signals)")

        // A moderator's approval releases it.
        let decision = try daemon.request(
            "POST", "/api/v1/moderation/items/\(item["id"] ?? "")/decision", headers: AuthTests.bearer(mona).merging(["Content-Type": "application/json"]) { $1 },
            body: Array(#"{"action":"approve","reason":"a red test card"}"#.utf8))
        #expect(decision.status == 200, "\(decision.body)")
        #expect(try daemon.get("/api/v1/videos/\(red)").status == 200, "public again")

        // The blue clip stays public and out of the queue.
        let blueVideo = try #require(try daemon.get("/api/v1/videos/\(blue)").json as? [String: Any], "blue is public")
        #expect(blueVideo["visibility"] as? String == "public")
        #expect(!items.contains { $0["target_id"] as? String == blue }, "\(items)")
        #expect(try await daemon.stop() == 0)
    }
}
