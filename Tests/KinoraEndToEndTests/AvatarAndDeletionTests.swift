import Foundation
import KinoraTestSupport
import Testing

/// Avatars made by the media worker and stored through the storage plugin, and account
/// deletion that leaves no row and no object behind.
@Suite struct AvatarAndDeletionTests {
    static func picture(_ path: String, width: Int, height: Int) throws -> [UInt8] {
        let made = try TestEnvironment.run(
            "/usr/bin/ffmpeg",
            [
                "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=\(width)x\(height)",
                "-frames:v", "1", path,
            ])
        guard made.status == 0 else { throw TestFailure("ffmpeg: \(made.output)") }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The width and height ffprobe reads from a stored file.
    static func dimensions(_ path: String) throws -> String {
        try TestEnvironment.run(
            "/usr/bin/ffprobe",
            [
                "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height",
                "-of", "csv=p=0", path,
            ]
        ).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func sql(_ daemon: DaemonProcess, _ query: String) throws -> String {
        try TestEnvironment.run("/usr/bin/sqlite3", [daemon.dataDir + "/kinora.sqlite", query]).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func put(_ daemon: DaemonProcess, _ token: String, type: String, _ bytes: [UInt8]) throws -> HTTPResult {
        try daemon.request("PUT", "/api/v1/me/avatar", headers: ["Authorization": "Bearer \(token)", "Content-Type": type], body: bytes)
    }

    @Test func avatarsAreSquareJPEGsServedWithETags() async throws {
        let (daemon, dir, users) = try await SocialTests.start("social-avatar", users: [("erin", "viewer")])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let erin = try #require(users["erin"])
        let png = try Self.picture(dir + "/wide.png", width: 400, height: 300)
        let jpeg = try Self.picture(dir + "/tall.jpg", width: 120, height: 500)

        #expect(try Self.put(daemon, erin.token, type: "text/plain", png).status == 415)
        let garbage = try Self.put(daemon, erin.token, type: "image/png", Array("not a picture at all".utf8))
        #expect(garbage.status == 422 && AuthTests.type(garbage) == "bad-image", "\(garbage.body)")
        #expect(try Self.put(daemon, erin.token, type: "image/png", [UInt8](repeating: 0, count: 5 << 20 + 1)).status == 413)

        let stored = try Self.put(daemon, erin.token, type: "image/png", png)
        #expect(stored.status == 200, "\(stored.body)\n\(daemon.log)")
        let folder = daemon.dataDir + "/media/avatars/\(erin.id)"
        #expect(try Self.dimensions(folder + "/256.jpg") == "256,256")
        #expect(try Self.dimensions(folder + "/64.jpg") == "64,64")

        let url = try #require((try SocialTests.object(try daemon.get("/api/v1/profiles/erin")))["avatar_url"] as? String)
        let served = try daemon.get(url)
        #expect(served.status == 200 && served.headers["content-type"] == "image/jpeg")
        #expect(served.headers["cache-control"]?.contains("immutable") == true)
        let etag = try #require(served.headers["etag"])
        #expect(
            try daemon.get("/api/v1/users/\(erin.id)/avatar?size=64", headers: ["If-None-Match": etag]).status == 200, "another size, another tag")
        #expect(try daemon.get("/api/v1/users/\(erin.id)/avatar", headers: ["If-None-Match": etag]).status == 304)
        #expect(try daemon.get("/api/v1/users/\(erin.id)/avatar?size=100").status == 400)

        // A new picture: a new tag, and the tall one is cropped to its centre square.
        #expect(try Self.put(daemon, erin.token, type: "image/jpeg", jpeg).status == 200)
        #expect(try Self.dimensions(folder + "/256.jpg") == "256,256")
        #expect(try daemon.get("/api/v1/users/\(erin.id)/avatar", headers: ["If-None-Match": etag]).status == 200)

        #expect(try SocialTests.call(daemon, "DELETE", "/api/v1/me/avatar", erin.token).status == 204)
        #expect(try daemon.get("/api/v1/users/\(erin.id)/avatar").status == 404)
        #expect(!FileManager.default.fileExists(atPath: folder + "/256.jpg"))
        #expect(try await daemon.stop() == 0)
    }

    @Test func deletingAnAccountLeavesNothingOfIt() async throws {
        let (daemon, dir, users) = try await SocialTests.start("social-delete", users: [("root", "admin"), ("frank", "creator"), ("hal", "viewer")])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let root = try #require(users["root"]), frank = try #require(users["frank"]), hal = try #require(users["hal"])
        let video = try SocialTests.uploadClip(daemon, dir: dir, token: root.token)
        let own = try SocialTests.uploadClip(daemon, dir: dir, token: frank.token, fields: ["title": "Frank's own"])
        let channel = try #require((try SocialTests.object(try daemon.get("/api/v1/videos/\(own)")))["channel"] as? [String: Any])
        let channelID = try #require(channel["id"] as? String)
        #expect(try SocialTests.call(daemon, "PUT", "/api/v1/channels/\(channelID)/subscription", hal.token).status == 201)
        #expect(try SocialTests.call(daemon, "POST", "/api/v1/videos/\(own)/progress", hal.token, ["position": 0.3]).status == 200)
        #expect(FileManager.default.fileExists(atPath: daemon.dataDir + "/media/videos/\(own)/original"))
        #expect(try Self.put(daemon, frank.token, type: "image/png", try Self.picture(dir + "/a.png", width: 80, height: 80)).status == 200)
        #expect(try SocialTests.call(daemon, "PUT", "/api/v1/me/preferences", frank.token, ["autoplay": false]).status == 200)
        #expect(try SocialTests.call(daemon, "POST", "/api/v1/videos/\(video)/progress", frank.token, ["position": 0.5]).status == 200)
        let playlist = try SocialTests.call(daemon, "POST", "/api/v1/playlists", frank.token, ["title": "Frank's"])
        let playlistID = try #require((try SocialTests.object(playlist))["id"] as? String)
        #expect(try SocialTests.call(daemon, "POST", "/api/v1/playlists/\(playlistID)/items", frank.token, ["video_id": video]).status == 201)

        let wrong = try SocialTests.call(daemon, "DELETE", "/api/v1/me", frank.token, ["password": "not frank's"])
        #expect(wrong.status == 403 && AuthTests.type(wrong) == "invalid-password")
        #expect(try SocialTests.call(daemon, "DELETE", "/api/v1/me", frank.token, ["password": "frank password"]).status == 204)

        let id = frank.id
        for query in [
            "SELECT COUNT(*) FROM users WHERE id = '\(id)'", "SELECT COUNT(*) FROM refresh_tokens WHERE user_id = '\(id)'",
            "SELECT COUNT(*) FROM user_preferences WHERE user_id = '\(id)'", "SELECT COUNT(*) FROM watch_history WHERE user_id = '\(id)'",
            "SELECT COUNT(*) FROM video_viewers WHERE user_id = '\(id)'", "SELECT COUNT(*) FROM playlists WHERE owner_id = '\(id)'",
            "SELECT COUNT(*) FROM playlist_items WHERE playlist_id = '\(playlistID)'", "SELECT COUNT(*) FROM account_deletions",
            "SELECT COUNT(*) FROM channels WHERE owner_id = '\(id)'", "SELECT COUNT(*) FROM subscriptions WHERE channel_id = '\(channelID)'",
            "SELECT COUNT(*) FROM videos WHERE id = '\(own)' OR owner_id = '\(id)'", "SELECT COUNT(*) FROM watch_history WHERE video_id = '\(own)'",
        ] {
            #expect(try Self.sql(daemon, query) == "0", "\(query)")
        }
        #expect(!FileManager.default.fileExists(atPath: daemon.dataDir + "/media/avatars/\(id)"))
        #expect(!FileManager.default.fileExists(atPath: daemon.dataDir + "/media/videos/\(own)"), "the account's videos leave storage")
        #expect(FileManager.default.fileExists(atPath: daemon.dataDir + "/media/videos/\(video)/original"))
        #expect(try AuthTests.login(daemon, "frank", "frank password").status == 401)
        #expect(try SocialTests.call(daemon, "GET", "/api/v1/me/preferences", frank.token).status == 401, "the old access token is refused")
        #expect(try daemon.get("/api/v1/profiles/frank").status == 404)
        #expect(try daemon.get("/api/v1/videos/\(video)").status == 200, "the admin's video stays")

        // The last enabled admin stays; an admin removes other accounts.
        let last = try SocialTests.call(daemon, "DELETE", "/api/v1/me", root.token, ["password": "root password"])
        #expect(last.status == 409 && AuthTests.type(last) == "last-admin")
        #expect(try AuthTests.addUser(daemon, "gina", role: "viewer", password: "gina password").status == 0)
        let gina = try #require(try Self.sql(daemon, "SELECT id FROM users WHERE username = 'gina'").nonEmpty)
        #expect(try SocialTests.call(daemon, "DELETE", "/api/v1/users/\(gina)", nil).status == 401)
        #expect(try SocialTests.call(daemon, "DELETE", "/api/v1/users/\(gina)", root.token).status == 204)
        #expect(try SocialTests.call(daemon, "DELETE", "/api/v1/users/\(gina)", root.token).status == 404)
        #expect(try await daemon.stop() == 0)
    }

    @Test func aDeletionCutShortIsFinishedAtTheNextStart() async throws {
        let (daemon, dir, users) = try await SocialTests.start("social-resume", users: [("ivy", "creator")])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ivy = try #require(users["ivy"])
        let video = try SocialTests.uploadClip(daemon, dir: dir, token: ivy.token)
        #expect(try Self.put(daemon, ivy.token, type: "image/png", try Self.picture(dir + "/a.png", width: 64, height: 48)).status == 200)
        #expect(try await daemon.stop() == 0)
        // What the first step leaves when the process dies right after it: the account disabled
        // and its deletion recorded, every object and row still there.
        _ = try Self.sql(
            daemon,
            "UPDATE users SET disabled = 1 WHERE id = '\(ivy.id)'; INSERT INTO account_deletions(user_id, requested_at) VALUES ('\(ivy.id)', '2026-01-01 00:00:00.000')"
        )
        #expect(try Self.sql(daemon, "SELECT COUNT(*) FROM account_deletions") == "1")

        let restarted = try DaemonProcess(dataDir: daemon.dataDir)
        try await restarted.start()
        let finished = await DaemonProcess.poll(timeout: .seconds(20)) {
            (try? Self.sql(restarted, "SELECT COUNT(*) FROM users WHERE id = '\(ivy.id)'")) == "0" ? true : nil
        }
        #expect(finished == true, "\(restarted.log)")
        #expect(try Self.sql(restarted, "SELECT COUNT(*) FROM account_deletions") == "0")
        #expect(try Self.sql(restarted, "SELECT COUNT(*) FROM videos WHERE id = '\(video)'") == "0")
        #expect(!FileManager.default.fileExists(atPath: daemon.dataDir + "/media/videos/\(video)"))
        #expect(!FileManager.default.fileExists(atPath: daemon.dataDir + "/media/avatars/\(ivy.id)"))
        #expect(try await restarted.stop() == 0)
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
