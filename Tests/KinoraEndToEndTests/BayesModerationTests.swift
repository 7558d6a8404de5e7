import Foundation
import KinoraTestSupport
import Testing

/// The naive Bayes classifier in the real daemon (`[moderation] classifiers = ["bayes"]`): a
/// spammy comment is held and a normal one published, and a moderator's approval of the held
/// one reaches the plugin, which scores the next such comment lower.
@Suite(.serialized) struct BayesModerationTests {
    static func config(_ dir: String) throws -> String {
        try FileManager.default.createDirectory(atPath: dir + "/etc/plugins.d", withIntermediateDirectories: true)
        try SpamCorpus.tsv(SpamCorpus.messages(count: 200, seed: 11)).write(toFile: dir + "/corpus.tsv", atomically: true, encoding: .utf8)
        let files = [
            // remove_score 1.0: no score is above it, so spam is held for the moderator.
            "kinora.toml": """
                [rate_limit]
                enabled = false
                [moderation]
                classifiers = ["bayes"]
                classifier_timeout_ms = 30000
                hold_score = 0.5
                remove_score = 1.0
                new_account_link_hours = 0
                """,
            "plugins.d/media.toml": "plugin = \"org.kinora.storage-local\"\n[settings]\nroot = \"\(dir)/media\"\ncreate_root = true\n",
            "plugins.d/hls.toml": "plugin = \"org.kinora.packager-hls\"\n",
            "plugins.d/dash.toml": "plugin = \"org.kinora.packager-dash\"\n",
            "plugins.d/bayes.toml": "plugin = \"org.kinora.moderation-bayes\"\n[settings]\ncorpus = \"\(dir)/corpus.tsv\"\nlearned = \"\(dir)/learned.tsv\"\n",
        ]
        for (name, text) in files { try text.write(toFile: dir + "/etc/" + name, atomically: true, encoding: .utf8) }
        return dir + "/etc/kinora.toml"
    }

    func send(_ daemon: DaemonProcess, _ method: String, _ path: String, _ token: String, _ object: [String: Any]? = nil) throws -> HTTPResult {
        var headers = AuthTests.bearer(token)
        var body: [UInt8] = []
        if let object {
            headers["Content-Type"] = "application/json"
            body = Array(try JSONSerialization.data(withJSONObject: object))
        }
        return try daemon.request(method, path, headers: headers, body: body)
    }

    func json(_ result: HTTPResult) throws -> [String: Any] { try #require(result.json as? [String: Any], "\(result.status) \(result.body)") }

    /// The bayes signal's score on the open queue item of `commentID`.
    func heldScore(_ daemon: DaemonProcess, _ commentID: Any?, _ token: String) throws -> (item: String, score: Double) {
        let queue = try json(try send(daemon, "GET", "/api/v1/moderation/queue", token))
        let item = try #require((queue["items"] as? [[String: Any]])?.first { $0["target_id"] as? String == commentID as? String }, "\(queue)")
        let signal = try #require(
            (item["signals"] as? [[String: Any]])?.first { $0["source"] as? String == "bayes" && $0["label"] as? String == "spam" }, "\(item)")
        return (try #require(item["id"] as? String), try #require(signal["score"] as? Double))
    }

    /// `kinora plugin conformance` runs the feedback suite on an instance that declares it,
    /// after the moderation one, and `kinora plugin classify` shows the score.
    @Test func theCommandLineRunsBothSuites() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("bayes-cli")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try Self.config(dir)
        let run = try await TestEnvironment.runOffPool(
            TestEnvironment.kinoraExecutable, ["plugin", "conformance", "bayes", "--config", config, "--data-dir", dir + "/data"])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("kinora.moderation/1 (bayes, org.kinora.moderation-bayes)"), "\(run.output)")
        #expect(run.output.contains("kinora.moderation.feedback/1 (bayes, org.kinora.moderation-bayes)"), "\(run.output)")
        for name in ["text-verdict", "feedback-accepted", "feedback-bad-label", "feedback-completes-once"] {
            #expect(run.output.contains("✔ \(name):"), "\(name): \(run.output)")
        }
        try "Claim your free bonus prize now".write(toFile: dir + "/comment.txt", atomically: true, encoding: .utf8)
        let classified = try await TestEnvironment.runOffPool(
            TestEnvironment.kinoraExecutable, ["plugin", "classify", "bayes", dir + "/comment.txt", "--config", config, "--data-dir", dir + "/data"])
        #expect(classified.status == 0 && classified.output.contains(#""name":"spam""#), "\(classified.output)")
    }

    @Test func spamIsHeldHamPublishedAndAnApprovalIsLearnt() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("bayes-daemon")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", try Self.config(dir)])
        try await daemon.start()
        var tokens: [String: String] = [:]
        for (name, role) in [("cora", "creator"), ("sam", "viewer"), ("mona", "moderator")] {
            #expect(try AuthTests.addUser(daemon, name, role: role, password: "password-\(name)-long").status == 0)
            tokens[name] = try AuthTests.tokens(try AuthTests.login(daemon, name, "password-\(name)-long")).access
        }
        var form = MultipartBody()
        form.file("file", filename: "clip.mp4", contentType: "video/mp4", data: try VideoUploadTests.makeClip(dir + "/clip.mp4"))
        let video = try #require(
            try json(
                try daemon.request(
                    "POST", "/api/v1/videos", headers: AuthTests.bearer(tokens["cora"]!).merging(["Content-Type": form.contentType]) { $1 },
                    body: form.finished()))["id"] as? String)

        let ham = try json(try send(daemon, "POST", "/api/v1/videos/\(video)/comments", tokens["sam"]!, ["body": "Lovely editing, the sunset scene and the music are great"]))
        #expect(ham["status"] as? String == "published", "\(ham)")
        let spamText = "Claim your free bonus prize, cheap crypto deal, click https://win-prize.example/claim"
        let spam = try json(try send(daemon, "POST", "/api/v1/videos/\(video)/comments", tokens["sam"]!, ["body": spamText]))
        #expect(spam["status"] as? String == "held", "\(spam)")

        // Between the two: spam's words about a video. Held, and the moderator approves it.
        let mixed = "free bonus offer for your video music"
        let first = try json(try send(daemon, "POST", "/api/v1/videos/\(video)/comments", tokens["sam"]!, ["body": mixed]))
        #expect(first["status"] as? String == "held", "\(first)")
        let (item, before) = try heldScore(daemon, first["id"], tokens["mona"]!)
        let approved = try send(daemon, "POST", "/api/v1/moderation/items/\(item)/decision", tokens["mona"]!, ["action": "approve", "reason": "a fan"])
        #expect(approved.status == 200, "\(approved.body)")

        // Fire and forget: the decision answered; the plugin appends what it learnt when it has.
        let learnt = await DaemonProcess.poll(timeout: .seconds(20)) { () -> String? in
            let text = try? String(contentsOfFile: dir + "/learned.tsv", encoding: .utf8)
            return text?.isEmpty == false ? text : nil
        }
        #expect(learnt == "ham\t\(mixed)\n", "\(learnt ?? "nothing learnt")")

        // The same words again score lower: published now, or held with a lower score.
        let second = try json(try send(daemon, "POST", "/api/v1/videos/\(video)/comments", tokens["sam"]!, ["body": mixed + "!"]))
        if second["status"] as? String == "held" {
            let after = try heldScore(daemon, second["id"], tokens["mona"]!).score
            #expect(after < before, "approved at \(before), the next one scores \(after)")
        } else {
            #expect(second["status"] as? String == "published", "\(second)")
        }
        // A removal teaches the other way: the spam comment's words score higher afterwards
        // (than a copy posted just before it, the approval above having taught some of them).
        let spamItem = try heldScore(daemon, spam["id"], tokens["mona"]!).item
        let copy = try json(try send(daemon, "POST", "/api/v1/videos/\(video)/comments", tokens["sam"]!, ["body": spamText + "?"]))
        let spamBefore = try heldScore(daemon, copy["id"], tokens["mona"]!).score
        #expect(try send(daemon, "POST", "/api/v1/moderation/items/\(spamItem)/decision", tokens["mona"]!, ["action": "remove", "reason": "ads"]).status == 200)
        let both = await DaemonProcess.poll(timeout: .seconds(20)) { () -> Bool? in
            (try? String(contentsOfFile: dir + "/learned.tsv", encoding: .utf8))?.contains("spam\t\(spamText)\n") == true ? true : nil
        }
        #expect(both == true)
        let again = try json(try send(daemon, "POST", "/api/v1/videos/\(video)/comments", tokens["sam"]!, ["body": spamText + "!"]))
        #expect(try heldScore(daemon, again["id"], tokens["mona"]!).score >= spamBefore)
        #expect(try await daemon.stop() == 0)
    }
}
