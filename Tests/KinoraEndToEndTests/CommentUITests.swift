import Foundation
import KinoraTestSupport
import Testing

/// The comments, likes and reports of the watch page and the console's moderation pages:
/// what the pages answer (who may open them, escaping, the comment switch), and the flows in
/// Debian's chromium (Tests/Fixtures/python/comment_flows.py), a viewer's and then a
/// moderator's, against the real daemon with the word-list classifier on.
@Suite(.serialized) struct CommentUITests {
    static let xss = #"<script>window.pwned=1</script><img src=x onerror="window.pwned=2"> & "quoted""#

    struct World {
        let daemon: DaemonProcess
        let video: String
        let accounts: [String: CatalogTests.Account]
        func headers(_ name: String) -> [String: String] { accounts[name]!.headers }
    }

    /// carol (creator) with a public clip; vic (the browser's viewer), sam (who wrote the
    /// comments there), rep1 and rep2 (viewers who report), mona (moderator). The word list
    /// flags "scam"; remove_score 1.0 holds such a comment rather than removing it.
    static func world(_ dir: String, seconds: Int, ready: Bool) async throws -> World {
        let config = try CommentTests.config(dir, removeScore: 1.0)
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", config, "--share-dir", WebUITests.share])
        try await daemon.start()
        var accounts: [String: CatalogTests.Account] = [:]
        for (name, role) in [
            ("carol", "creator"), ("vic", "viewer"), ("sam", "viewer"), ("rep1", "viewer"), ("rep2", "viewer"), ("mona", "moderator"),
        ] {
            accounts[name] = try CatalogTests.account(daemon, name, role: role)
        }
        let clip = try VideoUploadTests.makeClip(dir + "/clip.mp4", seconds: seconds)
        let created = try CatalogTests.upload(daemon, clip, fields: ["title": "Harbour <clip>"], token: accounts["carol"]!.token)
        let video = try #require(try CatalogTests.object(created)["id"] as? String)
        if ready { _ = try await PlaybackTests.waitUntilReady(daemon, id: video) }
        return World(daemon: daemon, video: video, accounts: accounts)
    }

    @discardableResult
    static func comment(_ w: World, _ name: String, _ body: String, parent: String? = nil) throws -> [String: Any] {
        var object: [String: Any] = ["body": body]
        if let parent { object["parent_id"] = parent }
        let posted = try CatalogTests.json(w.daemon, "POST", "/api/v1/videos/\(w.video)/comments", object, headers: w.headers(name))
        #expect(posted.status == 201, "\(posted.body)")
        return try CatalogTests.object(posted)
    }

    static func report(_ w: World, _ name: String, _ type: String, _ id: String, _ reason: String) throws {
        let filed = try CatalogTests.json(
            w.daemon, "POST", "/api/v1/reports", ["target_type": type, "target_id": id, "reason": reason], headers: w.headers(name))
        #expect(filed.status == 201, "\(filed.body)")
    }

    @Test func watchAndModerationPagesEscapeCommentsFollowTheSwitchAndAdmitOnlyModerators() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("commentpages")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let w = try await Self.world(dir, seconds: 1, ready: false)
        let daemon = w.daemon
        let html = ["Accept": "text/html"]
        let watch = "/watch/\(w.video)"

        // Signed out: the counts with links to sign in, no form, no report dialog.
        #expect(try CatalogTests.json(daemon, "PUT", "/api/v1/videos/\(w.video)/rating", ["rating": "like"], headers: w.headers("sam")).status == 200)
        let anonymous = try daemon.get(watch, headers: html)
        #expect(anonymous.status == 200)
        #expect(
            anonymous.body.contains(
                "href=\"/login?next=/watch/\(w.video)\" title=\"Sign in to like this video\">Like <span class=\"rate-count\" id=\"video-likes\">1</span>"
            ))
        #expect(!anonymous.body.contains("id=\"comment-form\"") && !anonymous.body.contains("id=\"report-dialog\""))
        #expect(anonymous.body.contains("Sign in</a> to comment") && anonymous.body.contains("id=\"comment-template\""))
        // Signed in: the buttons with the caller's own rating, the form and the dialog.
        let signedIn = try daemon.get(watch, headers: w.headers("sam")).body
        #expect(signedIn.contains("id=\"video-like\" data-rating=\"like\" aria-pressed=\"true\""), "\(signedIn)")
        #expect(
            signedIn.contains("id=\"comment-form\"") && signedIn.contains("id=\"report-dialog\"")
                && signedIn.contains("<option value=\"harassment\">"))
        #expect(try daemon.get(watch, headers: w.headers("vic")).body.contains("aria-pressed=\"false\""))

        // Comment text never reaches the watch page's HTML (the browser draws it as text); the
        // API carries the mentioned account's channel, which the page links.
        let hostile = try Self.comment(w, "sam", Self.xss + " @carol @rep1")
        let hostileID = try #require(hostile["id"] as? String)
        #expect(!(try daemon.get(watch, headers: html).body.contains("pwned")))
        let mentions = try #require(hostile["mentions"] as? [[String: Any]])
        #expect(mentions.first { $0["username"] as? String == "carol" }?["channel"] as? String == "carol", "\(mentions)")
        #expect(mentions.first { $0["username"] as? String == "rep1" }?["channel"] is NSNull, "a viewer has no channel page: \(mentions)")

        // The moderation pages: sign in first, then moderators and admins only.
        try Self.report(w, "rep1", "comment", hostileID, "hate")
        for path in ["/admin/moderation", "/admin/moderation/audit"] {
            let away = try daemon.get(path, headers: html)
            #expect(away.status == 303 && away.headers["location"] == "/login?next=\(path)", "\(path): \(away.status)")
            for name in ["vic", "carol"] {
                let refused = try daemon.get(path, headers: w.headers(name))
                #expect(refused.status == 403 && refused.body.contains("This page is for moderators"), "\(path) as \(name): \(refused.status)")
            }
            #expect(try daemon.get(path, headers: AuthTests.bearer(daemon.adminToken)).status == 200)
        }
        let queue = try daemon.get("/admin/moderation", headers: w.headers("mona"))
        #expect(queue.status == 200 && queue.headers["content-security-policy"]?.contains("script-src 'self'") == true)
        let escaped = AdminConsoleTests.escaped(Self.xss)
        #expect(queue.body.contains("<p class=\"mod-body\">\(escaped) @carol @rep1</p>"), "\(queue.body)")
        #expect(!queue.body.contains("<script>window") && !queue.body.contains("<img src=x"))
        #expect(queue.body.contains("Reported as <strong>Hateful or abusive</strong> by <span class=\"report-count\">1</span> account"))
        // A moderator's console shows only what moderators may open; the header links it.
        #expect(
            queue.body.contains("<a href=\"/admin/moderation\" aria-current=\"page\">Moderation</a>") && !queue.body.contains("href=\"/admin/jobs\""))
        #expect(try daemon.get("/", headers: w.headers("mona")).body.contains("class=\"moderation-link\""))
        #expect(!(try daemon.get("/", headers: w.headers("vic")).body.contains("moderation-link")))
        let admin = try daemon.get("/admin/moderation", headers: AuthTests.bearer(daemon.adminToken)).body
        #expect(admin.contains("href=\"/admin/jobs\"") && admin.contains("aria-current=\"page\">Moderation</a>"))
        #expect(try daemon.get("/admin/moderation?cursor=garbage", headers: w.headers("mona")).status == 400)

        // A decision shows in the audit log, the comment's text escaped there too.
        let item = try #require(
            ((try daemon.get("/api/v1/moderation/queue", headers: w.headers("mona")).json as? [String: Any])?["items"] as? [[String: Any]])?
                .first { $0["target_id"] as? String == hostileID }?["id"] as? String)
        let decided = try CatalogTests.json(
            daemon, "POST", "/api/v1/moderation/items/\(item)/decision", ["action": "warn", "reason": "mind <the> tone"], headers: w.headers("mona"))
        #expect(decided.status == 200, "\(decided.body)")
        let audit = try daemon.get("/admin/moderation/audit", headers: w.headers("mona")).body
        #expect(audit.contains("<td class=\"audit-moderator\" data-label=\"Moderator\">mona</td>") && audit.contains(">Warn</td>"))
        #expect(audit.contains("mind &lt;the&gt; tone") && audit.contains("comment by sam: &lt;script&gt;") && !audit.contains("<script>window"))
        let resolved = try daemon.get("/admin/moderation?state=resolved", headers: w.headers("mona")).body
        #expect(resolved.contains("data-item-id=\"\(item)\"") && !resolved.contains("class=\"decision\""))
        #expect(try daemon.get("/admin/moderation", headers: w.headers("mona")).body.contains("Nothing is waiting for a decision."))

        // Comments off: a notice instead of the form.
        #expect(
            try CatalogTests.json(daemon, "PATCH", "/api/v1/videos/\(w.video)", ["comments_enabled": false], headers: w.headers("carol")).status
                == 200)
        let off = try daemon.get(watch, headers: w.headers("vic")).body
        #expect(
            off.contains("Comments are turned off for this video.") && !off.contains("id=\"comment-form\"") && off.contains("data-open=\"false\""))
        try await daemon.stop()
    }

    @Test func aViewerCommentsRatesReportsAndAModeratorDecidesInChromium() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("commentflow")
        let w = try await Self.world(dir, seconds: 8, ready: true)
        let daemon = w.daemon
        // 23 top-level comments: a page of 20 and more; one liked (top), one with five
        // replies (three shown), one with script in it, one for vic to report.
        var top: [String: String] = [:]
        for index in 1...19 { try Self.comment(w, "sam", "Seed comment \(index)") }
        top["thread"] = try #require(try Self.comment(w, "sam", "A thread with replies")["id"] as? String)
        let replies = try (1...5).map { try #require(try Self.comment(w, "rep1", "Reply \($0)", parent: top["thread"])["id"] as? String) }
        // A third level, which only the API makes: the page opens it under its parent.
        top["deeper"] = try #require(try Self.comment(w, "sam", "A reply to a reply", parent: replies[0])["id"] as? String)
        top["xss"] = try #require(try Self.comment(w, "sam", Self.xss)["id"] as? String)
        top["liked"] = try #require(try Self.comment(w, "sam", "The best comment")["id"] as? String)
        top["reported"] = try #require(try Self.comment(w, "sam", "You are all fools")["id"] as? String)
        for name in ["carol", "rep1"] {
            let rated = try CatalogTests.json(daemon, "PUT", "/api/v1/comments/\(top["liked"]!)/rating", ["rating": "like"], headers: w.headers(name))
            #expect(rated.status == 200)
        }
        // Two reports already: vic's, from the page, makes the third and hides the comment.
        try Self.report(w, "rep1", "comment", top["reported"]!, "harassment")
        try Self.report(w, "rep2", "comment", top["reported"]!, "harassment")
        // The script comment waits in the queue too, for the moderation page to show as text.
        try Self.report(w, "rep2", "comment", top["xss"]!, "spam")

        let shots = dir + "/screenshots"
        let setup: [String: Any] = [
            "video": w.video, "viewer": "vic", "viewer_password": "password for vic", "moderator": "mona", "moderator_password": "password for mona",
            "ids": top, "xss": Self.xss, "top_level": 23, "replies": 5,
        ]
        let result = try await TestEnvironment.runOffPool(
            try TestEnvironment.testPython(),
            [
                TestEnvironment.pythonFixture("comment_flows.py"), "http://127.0.0.1:\(daemon.port)",
                String(decoding: try JSONSerialization.data(withJSONObject: setup), as: UTF8.self), shots,
            ])
        let report = result.output.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(
            result.status == 0 && report?["ok"] as? Bool == true,
            "the comment flows failed; screenshots of each page are in \(shots)\n\(result.output)")

        // What the browser did, as the API sees it afterwards.
        if result.status == 0 {
            let audit = try CatalogTests.object(try daemon.get("/api/v1/moderation/audit", headers: w.headers("mona")))
            let entries = try #require(audit["items"] as? [[String: Any]])
            #expect(Set(entries.compactMap { $0["action"] as? String }) == ["approve", "remove", "warn"], "\(entries)")
            #expect(entries.allSatisfy { $0["moderator"] as? String == w.accounts["mona"]!.id })
            let removed = try CatalogTests.object(try daemon.get("/api/v1/comments/\(top["reported"]!)", headers: w.headers("mona")))
            #expect(removed["status"] as? String == "removed" && removed["removed_reason"] as? String == "insults", "\(removed)")
            let video = try CatalogTests.object(try daemon.get("/api/v1/videos/\(w.video)", headers: w.headers("vic")))
            #expect(video["likes"] as? Int == 1 && video["my_rating"] as? String == "like", "\(video)")
        }
        try await daemon.stop()
        if result.status == 0 { try? FileManager.default.removeItem(atPath: dir) }
    }
}
