import Foundation
import KinoraTestSupport
import Testing

/// Comments and ratings through the real daemon, with the word-list classifier on: posting
/// (the answer's status is the verdict), replies, listings, edits, deletion, pins, the comment
/// switch, likes with `my_rating`, trending, and the refusals.
@Suite(.serialized) struct CommentTests {
    static func config(_ dir: String, removeScore: Double = 0.9) throws -> String {
        try FileManager.default.createDirectory(atPath: dir + "/etc/plugins.d", withIntermediateDirectories: true)
        let files = [
            "kinora.toml": """
                [rate_limit]
                enabled = false
                [moderation]
                classifiers = ["wordlist"]
                classifier_timeout_ms = 30000
                comments_per_minute = 50
                max_comment_chars = 200
                new_account_link_hours = 0
                max_links = 1
                remove_score = \(removeScore)
                reports_to_hide = 3
                """,
            "plugins.d/media.toml": "plugin = \"org.kinora.storage-local\"\n[settings]\nroot = \"\(dir)/media\"\ncreate_root = true\n",
            "plugins.d/hls.toml": "plugin = \"org.kinora.packager-hls\"\n",
            "plugins.d/dash.toml": "plugin = \"org.kinora.packager-dash\"\n",
            "plugins.d/wordlist.toml": "plugin = \"org.kinora.moderation-wordlist\"\n[settings]\nlabel = \"scam\"\nwords = [\"scam\"]\n",
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

    @Test func commentsRepliesRatingsAndTheModerationVerdict() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("comments")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", try Self.config(dir)])
        try await daemon.start()
        for (name, role) in [("cora", "creator"), ("vik", "viewer"), ("mona", "moderator")] {
            #expect(try AuthTests.addUser(daemon, name, role: role, password: "password-\(name)-long").status == 0)
        }
        let cora = try AuthTests.tokens(try AuthTests.login(daemon, "cora", "password-cora-long")).access
        let vik = try AuthTests.tokens(try AuthTests.login(daemon, "vik", "password-vik-long")).access
        let mona = try AuthTests.tokens(try AuthTests.login(daemon, "mona", "password-mona-long")).access
        let clip = try VideoUploadTests.makeClip(dir + "/clip.mp4")
        var form = MultipartBody()
        form.field("title", "Harbour")
        form.file("file", filename: "clip.mp4", contentType: "video/mp4", data: clip)
        let uploaded = try daemon.request(
            "POST", "/api/v1/videos", headers: AuthTests.bearer(cora).merging(["Content-Type": form.contentType]) { $1 }, body: form.finished())
        let video = try #require(try json(uploaded)["id"] as? String)
        let other = try #require(
            try json(
                try daemon.request(
                    "POST", "/api/v1/videos", headers: AuthTests.bearer(cora).merging(["Content-Type": form.contentType]) { $1 },
                    body: form.finished()))["id"] as? String)

        for id in [video, other] { _ = try await PlaybackTests.waitUntilReady(daemon, id: id) }

        // A clean comment is published; one the word list flags is removed at once, and the
        // answer says so; script is stored and answered as text.
        let first = try json(try send(daemon, "POST", "/api/v1/videos/\(video)/comments", vik, ["body": "Lovely @cora at 0:03 <script>x()</script>"]))
        #expect(first["status"] as? String == "published")
        #expect(first["body"] as? String == "Lovely @cora at 0:03 <script>x()</script>")
        #expect((first["mentions"] as? [[String: Any]])?.first?["username"] as? String == "cora")
        #expect((first["author"] as? [String: Any])?["username"] as? String == "vik")
        let firstID = try #require(first["id"] as? String)
        let flagged = try json(try send(daemon, "POST", "/api/v1/videos/\(video)/comments", vik, ["body": "total SCAM here"]))
        #expect(flagged["status"] as? String == "removed", "\(flagged)")

        // Replies, and the listings: the removed comment only for its author and moderators.
        let reply = try json(try send(daemon, "POST", "/api/v1/videos/\(video)/comments", cora, ["body": "Thanks!", "parent_id": firstID]))
        #expect(reply["parent_id"] as? String == firstID)
        let anonymous = try json(try daemon.get("/api/v1/videos/\(video)/comments"))
        let items = try #require(anonymous["items"] as? [[String: Any]])
        #expect(items.map { $0["id"] as? String } == [firstID])
        #expect(items.first?["reply_count"] as? Int == 1 && (items.first?["replies"] as? [[String: Any]])?.count == 1)
        #expect((try json(try daemon.get("/api/v1/videos/\(video)/comments", headers: AuthTests.bearer(mona)))["items"] as? [Any])?.count == 2)
        #expect(try daemon.get("/api/v1/comments/\(flagged["id"] as? String ?? "")").status == 404)
        let replies = try json(try daemon.get("/api/v1/comments/\(firstID)/replies"))
        #expect((replies["items"] as? [[String: Any]])?.first?["body"] as? String == "Thanks!")

        // Ratings: exact counts, the caller's own, switchable; they lift the video in trending.
        #expect(try json(try send(daemon, "PUT", "/api/v1/videos/\(video)/rating", vik, ["rating": "like"]))["likes"] as? Int == 1)
        let switched = try json(try send(daemon, "PUT", "/api/v1/videos/\(video)/rating", vik, ["rating": "dislike"]))
        #expect(switched["likes"] as? Int == 0 && switched["dislikes"] as? Int == 1 && switched["my_rating"] as? String == "dislike")
        _ = try send(daemon, "PUT", "/api/v1/videos/\(video)/rating", cora, ["rating": "like"])
        let mine = try json(try daemon.get("/api/v1/videos/\(video)", headers: AuthTests.bearer(vik)))
        #expect(mine["my_rating"] as? String == "dislike" && mine["likes"] as? Int == 1 && mine["comment_count"] as? Int == 2)
        #expect(try json(try daemon.get("/api/v1/videos/\(video)"))["my_rating"] == nil, "anonymous pages carry no rating")
        #expect(try send(daemon, "PUT", "/api/v1/videos/\(video)/rating", vik, ["rating": "love"]).status == 400)
        let liked = try json(try send(daemon, "PUT", "/api/v1/comments/\(firstID)/rating", cora, ["rating": "like"]))
        #expect(liked["likes"] as? Int == 1)
        let trending = try json(try daemon.get("/api/v1/videos?sort=trending"))
        #expect((trending["items"] as? [[String: Any]])?.first?["id"] as? String == video, "engagement ranks it above the newer one")
        _ = other

        // Edits keep the author's and moderate again; deletion leaves a tombstone above replies.
        #expect(try send(daemon, "PATCH", "/api/v1/comments/\(firstID)", cora, ["body": "hijack"]).status == 403)
        let edited = try json(try send(daemon, "PATCH", "/api/v1/comments/\(firstID)", vik, ["body": "Lovely, truly"]))
        #expect(edited["body"] as? String == "Lovely, truly" && !(edited["edited_at"] is NSNull))
        #expect(try send(daemon, "DELETE", "/api/v1/comments/\(firstID)", vik).status == 204)
        let tombstone = try json(try daemon.get("/api/v1/comments/\(firstID)"))
        #expect(tombstone["status"] as? String == "deleted" && tombstone["body"] as? String == "" && tombstone["author"] is NSNull)
        // A moderator removes with a reason, never without.
        #expect(try send(daemon, "DELETE", "/api/v1/comments/\(reply["id"] as? String ?? "")", mona).status == 422)
        #expect(try send(daemon, "DELETE", "/api/v1/comments/\(reply["id"] as? String ?? "")?reason=off-topic", mona).status == 204)

        // Pins, and the comment switch.
        let pinnable = try json(try send(daemon, "POST", "/api/v1/videos/\(video)/comments", vik, ["body": "Pin me"]))
        #expect(try send(daemon, "PUT", "/api/v1/videos/\(video)/pinned-comment", vik, ["comment_id": pinnable["id"] ?? ""]).status == 403)
        #expect(try send(daemon, "PUT", "/api/v1/videos/\(video)/pinned-comment", cora, ["comment_id": pinnable["id"] ?? ""]).status == 204)
        let pinned = try json(try daemon.get("/api/v1/videos/\(video)/comments"))
        #expect((pinned["pinned"] as? [String: Any])?["id"] as? String == pinnable["id"] as? String)
        #expect(try send(daemon, "PATCH", "/api/v1/videos/\(video)", cora, ["comments_enabled": false]).status == 200)
        let off = try send(daemon, "POST", "/api/v1/videos/\(video)/comments", vik, ["body": "Still here?"])
        #expect(off.status == 403 && AuthTests.type(off) == "comments-disabled", "\(off.body)")
        // The channel's switch turns them off on every video of the channel.
        let channel = try #require((try json(try daemon.get("/api/v1/videos/\(other)"))["channel"] as? [String: Any])?["id"] as? String)
        #expect(try send(daemon, "PATCH", "/api/v1/channels/\(channel)", cora, ["comments_enabled": false]).status == 200)
        #expect(try send(daemon, "POST", "/api/v1/videos/\(other)/comments", vik, ["body": "Here?"]).status == 403)
        #expect(try send(daemon, "PATCH", "/api/v1/channels/\(channel)", cora, ["comments_enabled": true]).status == 200)

        // Bad input: empty, too long, too many links, a parent on another video, unknown keys.
        #expect(try send(daemon, "POST", "/api/v1/videos/\(other)/comments", vik, ["body": "  "]).status == 422)
        #expect(try send(daemon, "POST", "/api/v1/videos/\(other)/comments", vik, ["body": String(repeating: "a", count: 201)]).status == 422)
        #expect(try send(daemon, "POST", "/api/v1/videos/\(other)/comments", vik, ["body": "https://a.example https://b.example"]).status == 422)
        #expect(try send(daemon, "POST", "/api/v1/videos/\(other)/comments", vik, ["body": "hi", "parent_id": pinnable["id"] ?? ""]).status == 422)
        #expect(try send(daemon, "POST", "/api/v1/videos/\(other)/comments", vik, ["body": "hi", "colour": "red"]).status == 422)
        #expect(try daemon.request("POST", "/api/v1/videos/\(other)/comments", headers: ["Content-Type": "application/json"], body: Array(#"{"body":"x"}"#.utf8)).status == 401)
        #expect(try await daemon.stop() == 0)
    }

    /// Held by the classifier, approved; hidden by three reports, removed; the author suspended
    /// (no more comments), then banned (credentials refused); every decision in the audit log.
    @Test func theQueueShowsWhyAndDecisionsActAndAreAudited() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("moderation")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // remove_score 1.0: the word list's 1.0 is not above it, so a flagged comment is held.
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", try Self.config(dir, removeScore: 1.0)])
        try await daemon.start()
        var tokens: [String: String] = [:]
        for (name, role) in [("cora", "creator"), ("troll", "viewer"), ("rep1", "viewer"), ("rep2", "viewer"), ("rep3", "viewer"), ("mona", "moderator")] {
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

        let held = try json(try send(daemon, "POST", "/api/v1/videos/\(video)/comments", tokens["troll"]!, ["body": "a scam, honestly"]))
        #expect(held["status"] as? String == "held")
        #expect(try send(daemon, "GET", "/api/v1/moderation/queue", tokens["troll"]!).status == 403)
        let queue = try json(try send(daemon, "GET", "/api/v1/moderation/queue", tokens["mona"]!))
        let item = try #require((queue["items"] as? [[String: Any]])?.first { $0["target_id"] as? String == held["id"] as? String })
        let signals = try #require(item["signals"] as? [[String: Any]])
        #expect(signals.contains { $0["kind"] as? String == "classifier" && $0["source"] as? String == "wordlist" && $0["score"] as? Double == 1 })
        #expect(signals.contains { $0["kind"] as? String == "rule" && ($0["detail"] as? String)?.contains("hold_score") == true }, "\(signals)")
        let approved = try send(daemon, "POST", "/api/v1/moderation/items/\(item["id"] ?? "")/decision", tokens["mona"]!, ["action": "approve", "reason": "a joke"])
        #expect(approved.status == 200, "\(approved.body)")
        #expect(try json(try daemon.get("/api/v1/comments/\(held["id"] ?? "")"))["status"] as? String == "published")

        // Three distinct reporters hide it; a second report by one of them is a conflict.
        let rude = try json(try send(daemon, "POST", "/api/v1/videos/\(video)/comments", tokens["troll"]!, ["body": "you are all fools"]))
        let report = ["target_type": "comment", "target_id": rude["id"] ?? "", "reason": "harassment"]
        for (index, reporter) in ["rep1", "rep2", "rep3"].enumerated() {
            let filed = try json(try send(daemon, "POST", "/api/v1/reports", tokens[reporter]!, report))
            #expect(filed["hidden"] as? Bool == (index == 2))
            if index == 0 { #expect(try send(daemon, "POST", "/api/v1/reports", tokens["rep1"]!, report).status == 409, "one open report each") }
        }
        #expect(try daemon.get("/api/v1/comments/\(rude["id"] ?? "")").status == 404, "hidden from everyone else")
        #expect(try send(daemon, "POST", "/api/v1/reports", tokens["rep1"]!, ["target_type": "video", "target_id": "nope", "reason": "spam"]).status == 404)
        #expect(try send(daemon, "POST", "/api/v1/reports", tokens["rep1"]!, ["target_type": "video", "target_id": video, "reason": "rude"]).status == 422)
        let reported = try #require(
            (try json(try send(daemon, "GET", "/api/v1/moderation/queue", tokens["mona"]!))["items"] as? [[String: Any]])?.first {
                $0["target_id"] as? String == rude["id"] as? String
            })
        #expect((reported["reports"] as? [String: Int]) == ["harassment": 3] && reported["hidden"] as? Bool == true)
        #expect(
            try send(daemon, "POST", "/api/v1/moderation/items/\(reported["id"] ?? "")/decision", tokens["mona"]!, ["action": "suspend", "reason": "insults", "days": 2])
                .status == 200)
        let suspended = try send(daemon, "POST", "/api/v1/videos/\(video)/comments", tokens["troll"]!, ["body": "let me in"])
        #expect(suspended.status == 403 && AuthTests.type(suspended) == "account-restricted", "\(suspended.body)")
        #expect(try send(daemon, "GET", "/api/v1/me", tokens["troll"]!).status == 200, "a suspended account still signs in and watches")

        // A ban: the account's credentials stop working (within the account-state cache's 2 s).
        let account = try #require(try json(try send(daemon, "GET", "/api/v1/me", tokens["troll"]!))["id"] as? String)
        let userReport = try json(try send(daemon, "POST", "/api/v1/reports", tokens["rep2"]!, ["target_type": "user", "target_id": account, "reason": "spam"]))
        #expect(
            try send(daemon, "POST", "/api/v1/moderation/decisions", tokens["mona"]!, ["items": [userReport["item_id"] ?? "", "gone"], "action": "ban", "reason": "repeat"])
                .body.contains("\"status\":404"))
        let trollToken = tokens["troll"]!
        let banned = await DaemonProcess.poll(timeout: .seconds(5)) { () -> Int? in
            let status = (try? send(daemon, "GET", "/api/v1/me", trollToken).status) ?? 0
            return status == 401 ? status : nil
        }
        #expect(banned == 401)
        let lifted = try send(daemon, "POST", "/api/v1/users/\(account)/lift-restrictions", tokens["mona"]!, ["reason": "appeal granted"])
        #expect(lifted.status == 204, "\(lifted.body)")
        let back = await DaemonProcess.poll(timeout: .seconds(5)) { () -> Int? in
            let status = (try? send(daemon, "GET", "/api/v1/me", trollToken).status) ?? 0
            return status == 200 ? status : nil
        }
        #expect(back == 200, "the access token works again once lifted")
        let audit = try json(try send(daemon, "GET", "/api/v1/moderation/audit", tokens["mona"]!))
        #expect((audit["items"] as? [[String: Any]])?.compactMap { $0["action"] as? String } == ["lift", "ban", "suspend", "approve"])
        #expect(try await daemon.stop() == 0)
    }
}
