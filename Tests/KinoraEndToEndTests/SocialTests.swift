import Foundation
import KinoraTestSupport
import Testing

/// Profiles, preferences, watch history, playlists, avatars and account deletion through the
/// real daemon.
@Suite struct SocialTests {
    /// Starts a daemon with the named accounts (password "<name> password"); returns access tokens and ids.
    static func start(_ label: String, users: [(String, String)]) async throws -> (DaemonProcess, String, [String: (token: String, id: String)]) {
        let dir = try TestEnvironment.makeTemporaryDirectory(label)
        let daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()
        var accounts: [String: (String, String)] = [:]
        for (name, role) in users {
            let added = try AuthTests.addUser(daemon, name, role: role, password: "\(name) password")
            guard added.status == 0 else { throw TestFailure("user add \(name): \(added.output)") }
            let token = try AuthTests.tokens(try AuthTests.login(daemon, name, "\(name) password")).access
            let me = try daemon.get("/api/v1/me", headers: AuthTests.bearer(token))
            accounts[name] = (token, try #require((me.json as? [String: Any])?["id"] as? String))
        }
        return (daemon, dir, accounts)
    }

    static func call(_ daemon: DaemonProcess, _ method: String, _ path: String, _ token: String? = nil, _ object: Any? = nil) throws -> HTTPResult {
        var headers: [String: String] = token.map(AuthTests.bearer) ?? [:]
        var body: [UInt8] = []
        if let object {
            headers["Content-Type"] = "application/json"
            body = Array(try JSONSerialization.data(withJSONObject: object))
        }
        return try daemon.request(method, path, headers: headers, body: body)
    }

    static func object(_ result: HTTPResult) throws -> [String: Any] {
        try #require(result.json as? [String: Any], "\(result.status) \(result.body)")
    }

    /// Uploads a one-second clip (small, so its transcode is cheap) with the account's token, or
    /// the bootstrap token's when nil; returns the video's id.
    static func uploadClip(_ daemon: DaemonProcess, dir: String, token: String? = nil, fields: [String: String] = [:]) throws -> String {
        let path = dir + "/clip-\(UUID().uuidString).mp4"
        let made = try TestEnvironment.run(
            "/usr/bin/ffmpeg",
            [
                "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=10:duration=1",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", path,
            ])
        guard made.status == 0 else { throw TestFailure("ffmpeg: \(made.output)") }
        let clip = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        guard let token else { return try daemon.uploadVideo(clip, fields: fields) }
        let created = try CatalogTests.upload(daemon, clip, fields: fields, token: token)
        guard created.status == 201, let id = (created.json as? [String: Any])?["id"] as? String else {
            throw TestFailure("upload failed: \(created.status) \(created.body)")
        }
        return id
    }

    @Test func profilesAndPreferences() async throws {
        let (daemon, dir, users) = try await Self.start("social-profile", users: [("alice", "viewer")])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let alice = try #require(users["alice"])

        let profile = try Self.object(try daemon.get("/api/v1/profiles/ALICE"))
        #expect(profile["handle"] as? String == "alice" && profile["display_name"] as? String == "alice" && profile["bio"] as? String == "")
        #expect(profile["avatar_url"] is NSNull && profile["id"] as? String == alice.id)
        #expect(try daemon.get("/api/v1/profiles/nobody").status == 404)

        let changed = try Self.call(daemon, "PATCH", "/api/v1/me", alice.token, ["display_name": "  Alice A.  ", "bio": "Films\nand more"])
        #expect(changed.status == 200, "\(changed.body)")
        let shown = try Self.object(try daemon.get("/api/v1/profiles/alice"))
        #expect(shown["display_name"] as? String == "Alice A." && shown["bio"] as? String == "Films\nand more")
        let tooLong = try Self.call(daemon, "PATCH", "/api/v1/me", alice.token, ["bio": String(repeating: "b", count: 1001)])
        #expect(try tooLong.status == 422 && (Self.object(tooLong))["field"] as? String == "bio")
        let empty = try Self.call(daemon, "PATCH", "/api/v1/me", alice.token, ["display_name": String(repeating: "d", count: 81)])
        #expect(try empty.status == 422 && (Self.object(empty))["field"] as? String == "display_name")
        #expect(try Self.call(daemon, "PATCH", "/api/v1/me", alice.token, ["role": "admin"]).status == 422)
        #expect(try Self.call(daemon, "PATCH", "/api/v1/me", nil, ["bio": "x"]).status == 401)

        // Preferences: defaults until set; a change keeps the keys it leaves out.
        let defaults = try Self.object(try Self.call(daemon, "GET", "/api/v1/me/preferences", alice.token))
        #expect(defaults["autoplay"] as? Bool == true && defaults["default_quality"] as? String == "auto" && defaults["language"] is NSNull)
        #expect((defaults["email_notifications"] as? [String: Bool]) == ["comments": true, "subscriptions": true, "mentions": true, "digest": false])
        let put = try Self.call(
            daemon, "PUT", "/api/v1/me/preferences", alice.token,
            ["language": "PT-br", "default_quality": 720, "email_notifications": ["digest": true]])
        #expect(put.status == 200, "\(put.body)")
        let second = try Self.call(daemon, "PUT", "/api/v1/me/preferences", alice.token, ["autoplay": false])
        let stored = try Self.object(second)
        #expect(stored["language"] as? String == "pt-BR" && stored["default_quality"] as? Int == 720 && stored["autoplay"] as? Bool == false)
        #expect(
            (stored["email_notifications"] as? [String: Bool])?["digest"] == true
                && (stored["email_notifications"] as? [String: Bool])?["comments"] == true)
        for (body, field) in [
            (["theme": "dark"], "theme"), (["default_quality": 721], "default_quality"), (["autoplay": 1], "autoplay"),
            (["language": "not a tag"], "language"), (["email_notifications": ["spam": true]], "email_notifications.spam"),
        ] as [([String: Any], String)] {
            let refused = try Self.call(daemon, "PUT", "/api/v1/me/preferences", alice.token, body)
            #expect(try refused.status == 422 && (Self.object(refused))["field"] as? String == field, "\(body): \(refused.body)")
        }
        #expect(try Self.call(daemon, "GET", "/api/v1/me/preferences", daemon.adminToken).status == 404, "the bootstrap token has no account")
        #expect(try await daemon.stop() == 0)
    }

    @Test func watchHistoryResumesAndPlaylistsKeepOrderAndPrivacy() async throws {
        let (daemon, dir, users) = try await Self.start("social-lists", users: [("carol", "viewer"), ("dave", "viewer")])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let carol = try #require(users["carol"]), dave = try #require(users["dave"])
        let first = try Self.uploadClip(daemon, dir: dir, fields: ["title": "First"])
        let second = try Self.uploadClip(daemon, dir: dir, fields: ["title": "Second"])
        let hidden = try Self.uploadClip(daemon, dir: dir, fields: ["title": "Hidden", "visibility": "private"])
        let duration = try #require((try Self.object(try daemon.get("/api/v1/videos/\(first)")))["duration"] as? Double)

        // History: a heartbeat stores the position; the video JSON offers it back.
        #expect(try Self.call(daemon, "POST", "/api/v1/videos/\(first)/progress", nil, ["position": 1]).status == 401)
        #expect(try Self.call(daemon, "POST", "/api/v1/videos/\(hidden)/progress", carol.token, ["position": 0.1]).status == 404)
        #expect(try Self.call(daemon, "POST", "/api/v1/videos/\(first)/progress", carol.token, ["position": -1]).status == 422)
        let beat = try Self.call(daemon, "POST", "/api/v1/videos/\(first)/progress", carol.token, ["position": 0.4])
        #expect(beat.status == 200, "\(beat.body)")
        #expect((try Self.object(try daemon.get("/api/v1/videos/\(first)")))["views"] as? Int == 1, "the first heartbeat counts a view")
        #expect(
            (try Self.object(try daemon.get("/api/v1/videos/\(first)", headers: AuthTests.bearer(carol.token))))["resume_position"] as? Double == 0.4)
        #expect((try Self.object(try daemon.get("/api/v1/videos/\(first)", headers: AuthTests.bearer(dave.token))))["resume_position"] is NSNull)
        #expect((try Self.object(try daemon.get("/api/v1/videos/\(first)")))["resume_position"] == nil)
        // Past the end: clamped to the duration, and completed, so nothing to resume.
        let done = try Self.object(try Self.call(daemon, "POST", "/api/v1/videos/\(first)/progress", carol.token, ["position": 999]))
        #expect(done["position"] as? Double == duration && done["completed"] as? Bool == true)
        #expect((try Self.object(try daemon.get("/api/v1/videos/\(first)")))["views"] as? Int == 1, "later heartbeats do not")
        #expect((try Self.object(try daemon.get("/api/v1/videos/\(first)", headers: AuthTests.bearer(carol.token))))["resume_position"] is NSNull)
        _ = try Self.call(daemon, "POST", "/api/v1/videos/\(second)/progress", carol.token, ["position": 0.2])
        let page = try Self.object(try Self.call(daemon, "GET", "/api/v1/me/history?limit=1", carol.token))
        let items = try #require(page["items"] as? [[String: Any]])
        #expect(items.count == 1 && (items[0]["video"] as? [String: Any])?["title"] as? String == "Second")
        let cursor = try #require(page["next_cursor"] as? String)
        let next = try Self.object(try Self.call(daemon, "GET", "/api/v1/me/history?limit=1&cursor=\(cursor)", carol.token))
        #expect((next["items"] as? [[String: Any]])?.first?["video_id"] as? String == first && next["next_cursor"] is NSNull)
        #expect(try Self.call(daemon, "GET", "/api/v1/me/history?cursor=zzz", carol.token).status == 400)
        #expect(try Self.call(daemon, "DELETE", "/api/v1/me/history/\(second)", carol.token).status == 204)
        #expect(try Self.call(daemon, "DELETE", "/api/v1/me/history/\(second)", carol.token).status == 404)
        #expect(try Self.call(daemon, "DELETE", "/api/v1/me/history", carol.token).status == 204)
        #expect(((try Self.object(try Self.call(daemon, "GET", "/api/v1/me/history", carol.token)))["items"] as? [Any])?.isEmpty == true)

        // Playlists.
        let created = try Self.call(daemon, "POST", "/api/v1/playlists", carol.token, ["title": "Favourites", "visibility": "public"])
        #expect(created.status == 201, "\(created.body)")
        let playlist = try #require((try Self.object(created))["id"] as? String)
        #expect(try Self.call(daemon, "POST", "/api/v1/playlists", carol.token, ["title": String(repeating: "t", count: 151)]).status == 422)
        #expect(try Self.call(daemon, "POST", "/api/v1/playlists/\(playlist)/items", carol.token, ["video_id": first]).status == 201)
        #expect(try Self.call(daemon, "POST", "/api/v1/playlists/\(playlist)/items", carol.token, ["video_id": second, "position": 0]).status == 201)
        #expect(try Self.call(daemon, "POST", "/api/v1/playlists/\(playlist)/items", carol.token, ["video_id": first]).status == 409)
        #expect(
            try Self.call(daemon, "POST", "/api/v1/playlists/\(playlist)/items", carol.token, ["video_id": hidden]).status == 422,
            "a private video of someone else cannot be added")
        #expect(try Self.call(daemon, "POST", "/api/v1/playlists/\(playlist)/items", dave.token, ["video_id": first]).status == 403)
        func order(_ token: String?) throws -> [String] {
            ((try Self.object(try Self.call(daemon, "GET", "/api/v1/playlists/\(playlist)", token)))["items"] as? [[String: Any]] ?? [])
                .compactMap { ($0["video"] as? [String: Any])?["id"] as? String }
        }
        #expect(try order(nil) == [second, first])
        #expect(try Self.call(daemon, "PUT", "/api/v1/playlists/\(playlist)/order", carol.token, ["video_ids": [first]]).status == 422)
        #expect(try Self.call(daemon, "PUT", "/api/v1/playlists/\(playlist)/order", carol.token, ["video_ids": [first, second]]).status == 200)
        #expect(try order(dave.token) == [first, second])
        // The admin adds the private video: its owner and admins see it, others do not.
        #expect(try Self.call(daemon, "POST", "/api/v1/playlists/\(playlist)/items", daemon.adminToken, ["video_id": hidden]).status == 201)
        #expect(try order(daemon.adminToken) == [first, second, hidden])
        #expect(try order(carol.token) == [first, second])
        #expect(try Self.call(daemon, "PUT", "/api/v1/playlists/\(playlist)/order", carol.token, ["video_ids": [second, first]]).status == 200)
        #expect(try order(daemon.adminToken) == [second, first, hidden], "hidden items keep their place after the ones reordered")
        #expect(try Self.call(daemon, "DELETE", "/api/v1/playlists/\(playlist)/items/\(second)", carol.token).status == 204)
        #expect(try order(nil) == [first])

        // Privacy: private is 404 to others; public ones are listed on the owner's page.
        #expect(
            try Self.call(daemon, "PATCH", "/api/v1/playlists/\(playlist)", carol.token, ["visibility": "private", "title": "Mine"]).status == 200)
        #expect(try Self.call(daemon, "GET", "/api/v1/playlists/\(playlist)", dave.token).status == 404)
        #expect(try Self.call(daemon, "PATCH", "/api/v1/playlists/\(playlist)", dave.token, ["title": "x"]).status == 404)
        #expect(try Self.call(daemon, "GET", "/api/v1/playlists/\(playlist)", daemon.adminToken).status == 200)
        #expect(((try Self.object(try daemon.get("/api/v1/users/\(carol.id)/playlists")))["items"] as? [Any])?.isEmpty == true)
        #expect(((try Self.object(try Self.call(daemon, "GET", "/api/v1/me/playlists", carol.token)))["items"] as? [Any])?.count == 1)
        #expect(try Self.call(daemon, "PATCH", "/api/v1/playlists/\(playlist)", carol.token, ["visibility": "public"]).status == 200)
        #expect(
            ((try Self.object(try daemon.get("/api/v1/users/\(carol.id)/playlists")))["items"] as? [[String: Any]])?.first?["title"] as? String
                == "Mine")
        #expect(try Self.call(daemon, "DELETE", "/api/v1/playlists/\(playlist)", dave.token).status == 403)
        #expect(try Self.call(daemon, "DELETE", "/api/v1/playlists/\(playlist)", carol.token).status == 204)
        #expect(try Self.call(daemon, "GET", "/api/v1/playlists/\(playlist)", carol.token).status == 404)
        #expect(try await daemon.stop() == 0)
    }
}
