import Foundation
import KinoraTestSupport
import Testing

/// Issue 17's acceptance: an install with users, videos, captions, playlists, history and
/// subscriptions on SQLite, moved by `kinora db migrate-to-postgres`, then served by the daemon
/// on PostgreSQL from the same data folder, answers what it answered before: the same JSON to
/// the same (pre-move) tokens and cursors, the same manifests and segment bytes; the refresh
/// token still refreshes and the password still logs in.
@Suite struct DatabaseMoveServeTests {
    struct Account {
        var id: String
        var access: String
        var refresh: String
    }

    /// One GET a user would notice: who asks (nil: anonymous), the status it must get and, for
    /// a page, how many items it must hold (so two empty answers cannot pass for equal ones).
    struct Probe {
        var path: String
        var token: String?
        var status = 200
        var items: Int? = nil
    }

    /// What one probe answered, byte for byte: the server writes JSON with its keys in byte
    /// order (JSONWriter), so equal answers are equal bytes, floats and dates as written.
    struct Answer: Equatable, CustomStringConvertible {
        var status: Int
        var contentType: String
        var body: String
        var description: String { "\(status) \(contentType) \(body)" }
    }

    static func account(_ daemon: DaemonProcess, _ name: String, role: String, config: String) throws -> Account {
        let added = try AuthTests.addUser(daemon, name, role: role, password: "\(name) password", extra: ["--config", config])
        guard added.status == 0 else { throw TestFailure("user add \(name): \(added.output)") }
        let tokens = try AuthTests.tokens(try AuthTests.login(daemon, name, "\(name) password"))
        let me = try SocialTests.object(try daemon.get("/api/v1/me", headers: AuthTests.bearer(tokens.access)))
        return Account(id: try #require(me["id"] as? String), access: tokens.access, refresh: tokens.refresh)
    }

    static func answer(_ daemon: DaemonProcess, _ probe: Probe) throws -> Answer {
        let result = try daemon.get(probe.path, headers: probe.token.map(AuthTests.bearer) ?? [:])
        return Answer(status: result.status, contentType: result.headers["content-type"] ?? "", body: try Self.steady(result.body))
    }

    /// The admin overview's `free_bytes` is the free space of the data folder's file system
    /// *now*: other processes (PostgreSQL's own files, parallel builds) change it between two
    /// reads, whatever the database. It must be there and positive; its value is blanked.
    /// Nothing else is normalised.
    static func steady(_ body: String) throws -> String {
        guard let key = body.range(of: "\"free_bytes\":") else { return body }
        let digits = body[key.upperBound...].prefix { $0.isNumber }
        guard let free = Int(digits), free > 0 else { throw TestFailure("free_bytes is not a positive count: \(body)") }
        return body.replacingCharacters(in: key.upperBound..<digits.endIndex, with: "\"(free space)\"")
    }

    /// The master playlist, the DASH manifest, the first rendition's media playlist, its init
    /// segment and first media segment, as served.
    static func streams(_ daemon: DaemonProcess, video: String) throws -> [String: [UInt8]] {
        var served: [String: [UInt8]] = [:]
        func fetch(_ path: String) throws -> [UInt8] {
            let result = try daemon.get("/streams/\(video)/\(path)")
            guard result.status == 200, !result.bytes.isEmpty else { throw TestFailure("\(path): \(result.status) \(result.body.prefix(200))") }
            if let length = result.headers["content-length"].flatMap(Int.init), length != result.bytes.count {
                throw TestFailure("\(path): \(result.bytes.count) bytes for a Content-Length of \(length)")
            }
            served[path] = result.bytes
            return result.bytes
        }
        let master = String(decoding: try fetch("master.m3u8"), as: UTF8.self)
        _ = try fetch("manifest.mpd")
        let media = try #require(try GrowingPublicationTests.mediaPlaylists(master).first, "\(master)")
        let folder = media.split(separator: "/").dropLast().joined(separator: "/")
        let playlist = String(decoding: try fetch(media), as: UTF8.self)
        let lines = playlist.split(separator: "\n").map(String.init)
        let map = try #require(
            lines.first { $0.hasPrefix("#EXT-X-MAP:") }?.components(separatedBy: "URI=\"").last?.prefix { $0 != "\"" }, "\(playlist)")
        let segment = try #require(lines.first { !$0.hasPrefix("#") && !$0.isEmpty }, "\(playlist)")
        _ = try fetch(folder + "/" + map)
        _ = try fetch(folder + "/" + segment)
        return served
    }

    @Test func aMovedInstallServesTheSameAnswersOnPostgreSQL() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("db-serve")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sqliteConfig = dir + "/kinora.toml"
        try "[data]\ndir = \"\(dir)/data\"\n".write(toFile: sqliteConfig, atomically: true, encoding: .utf8)
        let url = try PostgresServer.shared().makeDatabase("serve")
        let clip = try VideoUploadTests.makeClip(dir + "/clip.mp4", seconds: 2)

        let sqlite = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", sqliteConfig])
        try await sqlite.start()
        let root = try Self.account(sqlite, "root", role: "admin", config: sqliteConfig)
        let cleo = try Self.account(sqlite, "cleo", role: "creator", config: sqliteConfig)
        let vic = try Self.account(sqlite, "vic", role: "viewer", config: sqliteConfig)
        func call(_ method: String, _ path: String, _ token: String, _ object: Any? = nil, status: Int = 200) throws -> [String: Any] {
            let result = try SocialTests.call(sqlite, method, path, token, object)
            guard result.status == status else { throw TestFailure("\(method) \(path): \(result.status) \(result.body)") }
            return (result.json as? [String: Any]) ?? [:]
        }

        // The creator's videos, all three transcoded (waitUntilReady asks anonymously), then one
        // made private.
        var videos: [String] = []
        for title in ["Harbour at dawn", "Ferry before dawn", "Rehearsal notes"] {
            let created = try CatalogTests.upload(sqlite, clip, fields: ["title": title], token: cleo.access)
            videos.append(try #require((try CatalogTests.object(created))["id"] as? String, "\(created.status) \(created.body)"))
        }
        for id in videos { _ = try await PlaybackTests.waitUntilReady(sqlite, id: id) }
        let (harbour, ferry, rehearsal) = (videos[0], videos[1], videos[2])
        _ = try call("PATCH", "/api/v1/videos/\(rehearsal)", cleo.access, ["visibility": "private"])
        _ = try call("POST", "/api/v1/categories", root.access, ["id": "travel", "name": "Travel"], status: 201)
        let described = try call(
            "PATCH", "/api/v1/videos/\(harbour)", cleo.access,
            [
                "description": "Boats leaving at first light.\nShot in one take.", "tags": ["sea", "Morning Light"], "category": "travel",
                "language": "en", "license": "CC-BY-4.0",
            ])
        let channel = try #require((described["channel"] as? [String: Any])?["id"] as? String, "\(described)")
        _ = try call("PATCH", "/api/v1/videos/\(ferry)", cleo.access, ["tags": "sea, night"])
        for (language, text, query) in [("en", CaptionTests.english, "?default=true"), ("fr-FR", CaptionTests.french, "")] {
            let captioned = try CaptionTests.putCaption(sqlite, harbour, language, text, query: query, token: cleo.access)
            #expect(captioned.status == 201, "\(captioned.status) \(captioned.body)")
        }
        _ = try call("PATCH", "/api/v1/me", cleo.access, ["display_name": "Cleo at Sea", "bio": "Boats, mostly."])
        let key = try APIKeyTests.key(try APIKeyTests.makeKey(sqlite, AuthTests.bearer(cleo.access), ["name": "reader", "scopes": ["read"]]))
        // One use now, so the key list shows a last use; none later before the move, since a use
        // a minute after this one would move it (legitimately) between the two listings.
        #expect(try sqlite.get("/api/v1/me", headers: AuthTests.bearer(key)).status == 200)

        // The viewer: a playlist of both public videos, history, a subscription, preferences.
        let playlist = try #require(
            try call("POST", "/api/v1/playlists", vic.access, ["title": "Sea", "description": "Boats", "visibility": "public"], status: 201)["id"]
                as? String)
        _ = try call("POST", "/api/v1/playlists/\(playlist)/items", vic.access, ["video_id": harbour], status: 201)
        _ = try call("POST", "/api/v1/playlists/\(playlist)/items", vic.access, ["video_id": ferry, "position": 0], status: 201)
        _ = try call("POST", "/api/v1/playlists", vic.access, ["title": "Later", "visibility": "private"], status: 201)
        // 0.1 + 0.2, written out in full: a real that only a shortest round-trip keeps.
        let beat = try sqlite.request(
            "POST", "/api/v1/videos/\(harbour)/progress", headers: AuthTests.bearer(vic.access).merging(["Content-Type": "application/json"]) { $1 },
            body: Array(#"{"position": 0.30000000000000004}"#.utf8))
        #expect(beat.status == 200 && beat.body.contains(#""position":0.30000000000000004"#), "\(beat.body)")
        _ = try call("POST", "/api/v1/videos/\(ferry)/progress", vic.access, ["position": 999])
        _ = try call("PUT", "/api/v1/channels/\(channel)/subscription", vic.access, status: 201)
        _ = try call("PUT", "/api/v1/me/preferences", vic.access, ["language": "fr", "autoplay": false])

        // Cursors handed out before the move must page on after it, as an open tab would.
        let newestCursor = try #require(try call("GET", "/api/v1/videos?limit=1", vic.access)["next_cursor"] as? String)
        let historyCursor = try #require(try call("GET", "/api/v1/me/history?limit=1", vic.access)["next_cursor"] as? String)

        let probes: [Probe] = [
            Probe(path: "/api/v1/videos", token: nil, items: 2),
            Probe(path: "/api/v1/videos?limit=1", token: nil, items: 1),
            Probe(path: "/api/v1/videos?limit=1&cursor=\(newestCursor)", token: nil, items: 1),
            Probe(path: "/api/v1/videos?sort=title", token: nil, items: 2),
            Probe(path: "/api/v1/videos?sort=title&limit=1", token: nil, items: 1),
            Probe(path: "/api/v1/videos?sort=most_viewed", token: nil, items: 2),
            Probe(path: "/api/v1/videos?sort=most_viewed&limit=1", token: nil, items: 1),
            Probe(path: "/api/v1/videos?tag=sea&category=travel", token: nil, items: 1),
            Probe(path: "/api/v1/videos?channel=\(channel)", token: vic.access, items: 2),
            Probe(path: "/api/v1/videos?owner=me", token: cleo.access, items: 3),
            Probe(path: "/api/v1/videos?all=true", token: root.access, items: 3),
            Probe(path: "/api/v1/videos/\(harbour)", token: nil),
            Probe(path: "/api/v1/videos/\(harbour)", token: vic.access),
            Probe(path: "/api/v1/videos/\(ferry)", token: vic.access),
            Probe(path: "/api/v1/videos/\(rehearsal)", token: cleo.access),
            Probe(path: "/api/v1/videos/\(rehearsal)", token: vic.access, status: 404),
            Probe(path: "/api/v1/videos/\(harbour)/captions", token: nil, items: 2),
            Probe(path: "/api/v1/videos/\(harbour)/audio-tracks", token: cleo.access),
            Probe(path: "/api/v1/search?q=dawn", token: nil, items: 2),
            Probe(path: "/api/v1/search?q=dawn&limit=1", token: nil, items: 1),
            Probe(path: "/api/v1/search?q=harb", token: vic.access, items: 1),
            Probe(path: "/api/v1/channels/\(channel)", token: vic.access),
            Probe(path: "/api/v1/categories", token: nil, items: 1),
            Probe(path: "/api/v1/profiles/cleo", token: nil),
            Probe(path: "/api/v1/playlists/\(playlist)", token: nil),
            Probe(path: "/api/v1/users/\(vic.id)/playlists", token: nil, items: 1),
            Probe(path: "/api/v1/me", token: vic.access),
            Probe(path: "/api/v1/me/history", token: vic.access, items: 2),
            Probe(path: "/api/v1/me/history?limit=1", token: vic.access, items: 1),
            Probe(path: "/api/v1/me/history?limit=1&cursor=\(historyCursor)", token: vic.access, items: 1),
            Probe(path: "/api/v1/me/playlists", token: vic.access, items: 2),
            Probe(path: "/api/v1/me/playlists?limit=1", token: vic.access, items: 1),
            Probe(path: "/api/v1/me/subscriptions", token: vic.access, items: 1),
            Probe(path: "/api/v1/me/feed", token: vic.access, items: 2),
            Probe(path: "/api/v1/me/preferences", token: vic.access),
            Probe(path: "/api/v1/me", token: cleo.access),
            Probe(path: "/api/v1/me/channels", token: cleo.access, items: 1),
            Probe(path: "/api/v1/me/api-keys", token: cleo.access, items: 1),
            Probe(path: "/api/v1/me", token: root.access),
            Probe(path: "/api/v1/users", token: root.access, items: 3),
            Probe(path: "/api/v1/users?limit=2", token: root.access, items: 2),
            Probe(path: "/api/v1/users/\(cleo.id)", token: root.access),
            Probe(path: "/api/v1/admin/jobs", token: root.access, items: 3),
            Probe(path: "/api/v1/admin/jobs?limit=2", token: root.access, items: 2),
            Probe(path: "/api/v1/admin/overview", token: root.access),
        ]
        var before: [Answer] = []
        for probe in probes {
            let answer = try Self.answer(sqlite, probe)
            #expect(answer.status == probe.status, "before the move, \(probe.path): \(answer)")
            if let count = probe.items {
                let page = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
                #expect((page?["items"] as? [Any])?.count == count, "before the move, \(probe.path): \(answer)")
                // A first short page hands out a cursor, whose text must survive the move too.
                if probe.path.contains("limit="), !probe.path.contains("cursor=") {
                    #expect(page?["next_cursor"] is String, "before the move, \(probe.path): \(answer)")
                }
            }
            before.append(answer)
        }
        let meBefore = { (token: String) in before[probes.firstIndex { $0.path == "/api/v1/me" && $0.token == token }!] }
        let streamsBefore = try Self.streams(sqlite, video: harbour)
        #expect(try await sqlite.stop() == 0)

        let moved = try await TestEnvironment.runOffPool(
            TestEnvironment.kinoraExecutable, ["db", "migrate-to-postgres", "--url", url, "--config", sqliteConfig])
        #expect(moved.status == 0, "\(moved.output)")
        try #require(moved.status == 0)
        // The SQLite file goes aside (kept, as an operator would keep it): a daemon that still
        // read it, or fell back to a new one, could not answer as before.
        let data = dir + "/data"
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: data + "/kinora.sqlite" + suffix) {
            try FileManager.default.moveItem(atPath: data + "/kinora.sqlite" + suffix, toPath: data + "/before-postgres.sqlite" + suffix)
        }

        let postgresConfig = dir + "/postgres.toml"
        try "[data]\ndir = \"\(dir)/data\"\n\n[database]\nurl = \"\(url)\"\n".write(toFile: postgresConfig, atomically: true, encoding: .utf8)
        let postgres = try DaemonProcess(dataDir: data, arguments: ["--config", postgresConfig])
        try await postgres.start()

        for (probe, old) in zip(probes, before) {
            let new = try Self.answer(postgres, probe)
            #expect(
                new == old, "\(probe.path) as \(probe.token.map { String($0.prefix(12)) } ?? "anonymous"):\nSQLite:     \(old)\nPostgreSQL: \(new)")
        }
        let streamsAfter = try Self.streams(postgres, video: harbour)
        #expect(streamsAfter.keys.sorted() == streamsBefore.keys.sorted())
        for (path, bytes) in streamsBefore.sorted(by: { $0.key < $1.key }) {
            #expect(streamsAfter[path] == bytes, "\(path) differs after the move")
        }

        // The refresh token issued on SQLite refreshes on PostgreSQL; the password logs in.
        let refreshed = try AuthTests.post(postgres, "/api/v1/auth/refresh", ["refresh_token": vic.refresh])
        #expect(refreshed.status == 200, "\(refreshed.body)")
        let fresh = try AuthTests.tokens(refreshed)
        #expect(try Self.answer(postgres, Probe(path: "/api/v1/me", token: fresh.access)) == meBefore(vic.access))
        #expect(try AuthTests.post(postgres, "/api/v1/auth/refresh", ["refresh_token": vic.refresh]).status == 401, "the rotated token is spent")
        let login = try AuthTests.login(postgres, "cleo", "cleo password")
        #expect(login.status == 200, "\(login.body)")
        #expect(try Self.answer(postgres, Probe(path: "/api/v1/me", token: try AuthTests.tokens(login).access)) == meBefore(cleo.access))
        // The API key made on SQLite (its hash moved with it) is still the creator's.
        #expect(try Self.answer(postgres, Probe(path: "/api/v1/me", token: key)) == meBefore(cleo.access))
        #expect(try await postgres.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: data + "/kinora.sqlite"), "the daemon on PostgreSQL opened a SQLite database")
    }
}
