import Foundation
import KinoraTestSupport
import Testing

/// Videos in the moderation pipeline, through the real daemon with the word-list classifier:
/// hidden after `reports_to_hide` distinct reports and held when their words are flagged (at
/// upload or on an edit), out of the listing, search and watch page for everyone but their
/// owner and moderators, until a moderator's decision releases them.
@Suite(.serialized) struct VideoModerationTests {
    func send(_ daemon: DaemonProcess, _ method: String, _ path: String, _ token: String?, _ object: [String: Any]? = nil) throws -> HTTPResult {
        var headers = token.map { AuthTests.bearer($0) } ?? [:]
        var body: [UInt8] = []
        if let object {
            headers["Content-Type"] = "application/json"
            body = Array(try JSONSerialization.data(withJSONObject: object))
        }
        return try daemon.request(method, path, headers: headers, body: body)
    }

    func json(_ result: HTTPResult) throws -> [String: Any] { try #require(result.json as? [String: Any], "\(result.status) \(result.body)") }

    func listed(_ daemon: DaemonProcess) throws -> [String] {
        ((try json(try daemon.get("/api/v1/videos?limit=50"))["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
    }

    func openItem(_ daemon: DaemonProcess, _ moderator: String, _ video: String) throws -> [String: Any]? {
        ((try json(try send(daemon, "GET", "/api/v1/moderation/queue", moderator))["items"] as? [[String: Any]]) ?? []).first {
            $0["target_type"] as? String == "video" && $0["target_id"] as? String == video
        }
    }

    func decide(_ daemon: DaemonProcess, _ moderator: String, _ item: [String: Any], _ action: String) throws {
        let decided = try send(daemon, "POST", "/api/v1/moderation/items/\(item["id"] ?? "")/decision", moderator, ["action": action, "reason": "checked"])
        #expect(decided.status == 200, "\(decided.body)")
    }

    @Test func reportsAndFlaggedWordsHoldAVideoUntilAModeratorDecides() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("video-moderation")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // remove_score 1.0: the word list's 1.0 is not above it, so flagged words hold.
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", try CommentTests.config(dir, removeScore: 1.0)])
        try await daemon.start()
        var tokens: [String: String] = [:]
        for (name, role) in [("cora", "creator"), ("rep1", "viewer"), ("rep2", "viewer"), ("rep3", "viewer"), ("mona", "moderator")] {
            #expect(try AuthTests.addUser(daemon, name, role: role, password: "password-\(name)-long").status == 0)
            tokens[name] = try AuthTests.tokens(try AuthTests.login(daemon, name, "password-\(name)-long")).access
        }
        let clip = try VideoUploadTests.makeClip(dir + "/clip.mp4")
        func upload(_ title: String) throws -> String {
            var form = MultipartBody()
            form.field("title", title)
            form.file("file", filename: "clip.mp4", contentType: "video/mp4", data: clip)
            let answer = try daemon.request(
                "POST", "/api/v1/videos", headers: AuthTests.bearer(tokens["cora"]!).merging(["Content-Type": form.contentType]) { $1 },
                body: form.finished())
            return try #require(try json(answer)["id"] as? String)
        }
        let video = try upload("Harbour at dawn")
        let flaggedUpload = try upload("Free money scam inside")
        // Polled as the owner: the held one is nobody else's to see.
        let owner = tokens["cora"]!
        for id in [video, flaggedUpload] {
            let ready = try await TestEnvironment.pollOffPool(timeout: .seconds(180), interval: .milliseconds(200)) { () -> Bool? in
                try json(try send(daemon, "GET", "/api/v1/videos/\(id)", owner))["status"] as? String == "ready" ? true : nil
            }
            try #require(ready == true, "video \(id) not ready:\n\(daemon.log.suffix(2000))")
        }

        // Flagged words at upload: held before anyone but the owner could see it.
        #expect(try listed(daemon) == [video])
        #expect(try daemon.get("/api/v1/videos/\(flaggedUpload)").status == 404)
        #expect(try send(daemon, "GET", "/api/v1/videos/\(flaggedUpload)", tokens["cora"]).status == 200, "the owner still sees it")
        let uploadItem = try #require(try openItem(daemon, tokens["mona"]!, flaggedUpload))
        #expect((uploadItem["signals"] as? [[String: Any]])?.contains { $0["source"] as? String == "wordlist" && $0["label"] as? String == "scam" } == true)

        // Three distinct reports hide a video; two do not.
        let report: [String: Any] = ["target_type": "video", "target_id": video, "reason": "spam"]
        for (index, reporter) in ["rep1", "rep2", "rep3"].enumerated() {
            let filed = try json(try send(daemon, "POST", "/api/v1/reports", tokens[reporter]!, report))
            #expect(filed["hidden"] as? Bool == (index == 2))
            #expect(try listed(daemon).contains(video) == (index < 2))
        }
        #expect(try daemon.get("/api/v1/videos/\(video)").status == 404, "hidden from everyone else")
        #expect(try send(daemon, "GET", "/api/v1/videos/\(video)", tokens["rep1"]).status == 404)
        #expect(try send(daemon, "GET", "/api/v1/videos/\(video)", tokens["mona"]).status == 200, "moderators review it")
        #expect(try send(daemon, "GET", "/api/v1/videos/\(video)", tokens["cora"]).status == 200)
        #expect(((try json(try daemon.get("/api/v1/search?q=harbour"))["items"] as? [[String: Any]]) ?? []).isEmpty, "out of search")
        let reported = try #require(try openItem(daemon, tokens["mona"]!, video))
        #expect(reported["hidden"] as? Bool == true)

        // Approval releases it, everywhere at once.
        try decide(daemon, tokens["mona"]!, reported, "approve")
        #expect(try listed(daemon).contains(video))
        #expect(try daemon.get("/api/v1/videos/\(video)").status == 200)

        // An edit that brings flagged words holds it again; the owner's own visibility stays.
        let edited = try send(daemon, "PATCH", "/api/v1/videos/\(video)", tokens["cora"], ["description": "best scam of the year"])
        #expect(edited.status == 200, "\(edited.body)")
        #expect(try json(edited)["visibility"] as? String == "public")
        #expect(!(try listed(daemon).contains(video)))
        #expect(try daemon.get("/api/v1/videos/\(video)").status == 404)
        let editItem = try #require(try openItem(daemon, tokens["mona"]!, video))
        #expect((editItem["signals"] as? [[String: Any]])?.contains { $0["kind"] as? String == "classifier" && $0["source"] as? String == "wordlist" } == true)
        // A clean edit does not release it: only a decision does.
        #expect(try send(daemon, "PATCH", "/api/v1/videos/\(video)", tokens["cora"], ["description": "a quiet harbour"]).status == 200)
        #expect(try daemon.get("/api/v1/videos/\(video)").status == 404)
        // Removal makes it private for good; the owner keeps it.
        try decide(daemon, tokens["mona"]!, editItem, "remove")
        #expect(try daemon.get("/api/v1/videos/\(video)").status == 404)
        #expect(try json(try send(daemon, "GET", "/api/v1/videos/\(video)", tokens["cora"]))["visibility"] as? String == "private")
        #expect(try await daemon.stop() == 0)
    }
}
