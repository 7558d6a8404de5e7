import Foundation
import KinoraTestSupport
import Testing

/// Channels, ownership, visibility, metadata, categories and search through the real daemon,
/// with accounts made by `kinora user add`.
@Suite struct CatalogTests {
    struct Account {
        var id: String
        var token: String
        var headers: [String: String] { AuthTests.bearer(token) }
    }

    static func account(_ daemon: DaemonProcess, _ name: String, role: String) throws -> Account {
        let added = try AuthTests.addUser(daemon, name, role: role, password: "password for \(name)")
        guard added.status == 0 else { throw TestFailure("user add: \(added.output)") }
        let token = try AuthTests.tokens(try AuthTests.login(daemon, name, "password for \(name)")).access
        let me = try #require(try daemon.get("/api/v1/me", headers: AuthTests.bearer(token)).json as? [String: Any])
        return Account(id: try #require(me["id"] as? String), token: token)
    }

    static func upload(_ daemon: DaemonProcess, _ clip: [UInt8], fields: [String: String] = [:], token: String?) throws -> HTTPResult {
        var form = MultipartBody()
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) { form.field(name, value) }
        form.file("file", filename: "clip.mp4", data: clip)
        var headers = ["Content-Type": form.contentType]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        return try daemon.request("POST", "/api/v1/videos", headers: headers, body: form.finished())
    }

    static func json(_ daemon: DaemonProcess, _ method: String, _ path: String, _ object: Any, headers: [String: String]) throws -> HTTPResult {
        try daemon.request(
            method, path, headers: headers.merging(["Content-Type": "application/json"]) { $1 },
            body: Array(try JSONSerialization.data(withJSONObject: object)))
    }

    static func object(_ result: HTTPResult) throws -> [String: Any] {
        try #require(result.json as? [String: Any], "\(result.status) \(result.body)")
    }

    static func ids(_ result: HTTPResult) -> [String] {
        ((result.json as? [String: Any])?["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
    }

    static func field(_ result: HTTPResult) -> String? { (result.json as? [String: Any])?["field"] as? String }

    @Test func privateVideosAndTheirStreamsExistOnlyForTheirOwnerAndAdmins() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("catalog")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()
        let clip = try VideoUploadTests.makeClip(dir + "/clip.mp4", seconds: 1)
        // The bootstrap token's uploads belong to no account and no channel, and are public. (It
        // works only until an admin account exists.)
        let bootstrap = try Self.object(try Self.upload(daemon, clip, token: daemon.adminToken))
        #expect(bootstrap["owner"] is NSNull && bootstrap["channel"] is NSNull && bootstrap["visibility"] as? String == "public")
        let alice = try Self.account(daemon, "alice", role: "creator")
        let bob = try Self.account(daemon, "bob", role: "creator")
        let root = try Self.account(daemon, "root", role: "admin")
        let viewer = try Self.account(daemon, "vic", role: "viewer")

        let refused = try Self.upload(daemon, clip, token: viewer.token)
        #expect(refused.status == 403 && AuthTests.type(refused) == "forbidden", "\(refused.body)")
        #expect(try Self.upload(daemon, clip, token: nil).status == 401)

        // Without a channel, a creator's upload lands in the default channel made with the account.
        let created = try Self.upload(
            daemon, clip, fields: ["visibility": "private", "title": "Secret", "tags": "Diary, Private Stuff"], token: alice.token)
        let video = try Self.object(created)
        let id = try #require(video["id"] as? String)
        #expect(created.status == 201 && video["owner"] as? String == alice.id)
        #expect((video["channel"] as? [String: Any])?["handle"] as? String == "alice")
        #expect(video["tags"] as? [String] == ["diary", "private stuff"])
        let channels = Self.ids(try daemon.get("/api/v1/me/channels", headers: alice.headers))
        #expect(channels.count == 1 && (video["channel"] as? [String: Any])?["id"] as? String == channels.first)

        for (who, headers) in [("anonymous", [:]), ("another creator", bob.headers), ("a viewer", viewer.headers)] {
            #expect(try daemon.get("/api/v1/videos/\(id)", headers: headers).status == 404, "\(who)")
            #expect(try daemon.get("/api/v1/videos/\(id)/captions", headers: headers).status == 404, "\(who)")
            #expect(try daemon.get("/api/v1/videos/\(id)/events", headers: headers).status == 404, "\(who)")
        }
        #expect(try Self.json(daemon, "PATCH", "/api/v1/videos/\(id)", ["title": "Mine"], headers: bob.headers).status == 404)
        #expect(try daemon.request("DELETE", "/api/v1/videos/\(id)", headers: bob.headers).status == 404)
        #expect(
            try daemon.request(
                "PUT", "/api/v1/videos/\(id)/captions/en", headers: bob.headers.merging(["Content-Type": "text/vtt"]) { $1 },
                body: Array("WEBVTT\n".utf8)
            ).status == 404)
        for headers in [alice.headers, root.headers] {
            #expect(try daemon.get("/api/v1/videos/\(id)", headers: headers).status == 200)
        }

        // A public video of alice: bob sees it but may not change it.
        let open = try Self.object(try Self.upload(daemon, clip, fields: ["title": "Open"], token: alice.token))
        let openID = try #require(open["id"] as? String)
        let forbidden = try Self.json(daemon, "PATCH", "/api/v1/videos/\(openID)", ["title": "Mine"], headers: bob.headers)
        #expect(forbidden.status == 403 && AuthTests.type(forbidden) == "forbidden")
        #expect(try daemon.request("DELETE", "/api/v1/videos/\(openID)", headers: bob.headers).status == 403)
        #expect(try daemon.request("DELETE", "/api/v1/videos/\(openID)").status == 401)
        // Not into someone else's channel; an admin may.
        let bobChannel = try #require(Self.ids(try daemon.get("/api/v1/me/channels", headers: bob.headers)).first)
        let intoBobs = try Self.upload(daemon, clip, fields: ["channel": bobChannel], token: alice.token)
        #expect(intoBobs.status == 403, "\(intoBobs.body)")
        #expect(Self.field(try Self.upload(daemon, clip, fields: ["channel": "nope"], token: alice.token)) == "channel")
        let byAdmin = try Self.object(try Self.upload(daemon, clip, fields: ["channel": bobChannel], token: root.token))
        #expect(byAdmin["owner"] as? String == bob.id)

        // Listings: the public ones for everyone; owner=me adds the caller's hidden ones.
        let listed = Self.ids(try daemon.get("/api/v1/videos"))
        #expect(Set(listed) == Set([openID, try #require(byAdmin["id"] as? String), try #require(bootstrap["id"] as? String)]))
        #expect(Set(Self.ids(try daemon.get("/api/v1/videos?owner=me", headers: alice.headers))) == [id, openID])
        #expect(try daemon.get("/api/v1/videos?owner=me").status == 401)
        #expect(try daemon.get("/api/v1/videos?all=true", headers: bob.headers).status == 403)
        #expect(Self.ids(try daemon.get("/api/v1/videos?all=true", headers: root.headers)).contains(id))

        // tus: viewers may not start one; another creator cannot see alice's.
        let tus = ["Tus-Resumable": "1.0.0", "Upload-Length": "\(clip.count)"]
        #expect(try daemon.request("POST", "/api/v1/uploads", headers: tus.merging(viewer.headers) { $1 }).status == 403)
        let started = try daemon.request("POST", "/api/v1/uploads", headers: tus.merging(alice.headers) { $1 })
        let location = try #require(started.headers["location"], "\(started.status) \(started.body)")
        #expect(try daemon.request("HEAD", location, headers: ["Tus-Resumable": "1.0.0"].merging(bob.headers) { $1 }).status == 404)
        #expect(try daemon.request("HEAD", location, headers: ["Tus-Resumable": "1.0.0"].merging(alice.headers) { $1 }).status == 200)

        // Once playable, the private video's stream is the owner's and admins' only.
        let playable = await DaemonProcess.poll(timeout: .seconds(120)) {
            ((try? daemon.get("/api/v1/videos/\(id)", headers: alice.headers))?.json as? [String: Any])?["playable"] as? Bool == true ? true : nil
        }
        #expect(playable == true, "\(daemon.log)")
        let master = "/streams/\(id)/master.m3u8"
        #expect(try daemon.get(master, headers: alice.headers).status == 200)
        #expect(try daemon.get(master, headers: root.headers).status == 200)
        #expect(try daemon.get(master).status == 404)
        #expect(try daemon.get(master, headers: bob.headers).status == 404)
        #expect(try await daemon.stop() == 0)
    }

    @Test func metadataCategoriesChannelsAndSearch() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("catalog")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()
        let clip = try VideoUploadTests.makeClip(dir + "/clip.mp4", seconds: 1)
        let alice = try Self.account(daemon, "alice", role: "creator")
        let bob = try Self.account(daemon, "bob", role: "creator")
        let root = try Self.account(daemon, "root", role: "admin")

        // Categories: anyone lists them, only admins manage them.
        #expect(try Self.json(daemon, "POST", "/api/v1/categories", ["id": "crafts", "name": "Crafts"], headers: [:]).status == 401)
        #expect(try Self.json(daemon, "POST", "/api/v1/categories", ["id": "crafts", "name": "Crafts"], headers: alice.headers).status == 403)
        #expect(try Self.json(daemon, "POST", "/api/v1/categories", ["id": "crafts", "name": "Crafts"], headers: root.headers).status == 201)
        #expect(try Self.json(daemon, "POST", "/api/v1/categories", ["id": "crafts", "name": "Again"], headers: root.headers).status == 409)
        #expect(Self.field(try Self.json(daemon, "POST", "/api/v1/categories", ["id": "Not A Slug", "name": "x"], headers: root.headers)) == "id")
        #expect(Self.ids(try daemon.get("/api/v1/categories")) == ["crafts"])
        #expect(try Self.json(daemon, "PATCH", "/api/v1/categories/crafts", ["name": "Handicraft"], headers: alice.headers).status == 403)

        let uploaded = try Self.object(try Self.upload(daemon, clip, fields: ["title": "Untitled"], token: alice.token))
        let id = try #require(uploaded["id"] as? String)
        let path = "/api/v1/videos/\(id)"
        // Each bad field is named.
        for (body, field) in [
            (["language": "not a tag!"], "language"), (["tags": [String(repeating: "x", count: 41)]], "tags"),
            (["category": "nope"], "category"), (["publish_at": "tomorrow"], "publish_at"),
            (["visibility": "everyone"], "visibility"), (["license": String(repeating: "L", count: 65)], "license"),
            (["title": ""], "title"), (["colour": "red"], "colour"),
        ] as [([String: Any], String)] {
            let result = try Self.json(daemon, "PATCH", path, body, headers: alice.headers)
            #expect(result.status == 422 && AuthTests.type(result) == "invalid-field" && Self.field(result) == field, "\(field): \(result.body)")
        }
        #expect(try daemon.request("PATCH", path, headers: alice.headers, body: Array("not json".utf8)).status == 400)
        let patched = try Self.json(
            daemon, "PATCH", path,
            [
                "title": "Dovetail joints", "description": "Cutting them by hand", "tags": ["Woodworking", " Hand  Tools "],
                "category": "crafts", "language": "pt-br", "license": "CC-BY-4.0",
            ], headers: alice.headers)
        let video = try Self.object(patched)
        #expect(patched.status == 200 && video["title"] as? String == "Dovetail joints" && video["language"] as? String == "pt-BR")
        #expect(video["tags"] as? [String] == ["woodworking", "hand tools"] && video["category"] as? String == "crafts")
        #expect(video["license"] as? String == "CC-BY-4.0" && video["description"] as? String == "Cutting them by hand")
        #expect(Self.ids(try daemon.get("/api/v1/videos?category=crafts")) == [id])
        #expect(Self.ids(try daemon.get("/api/v1/videos?tag=Hand%20Tools")) == [id])
        let badSort = try daemon.get("/api/v1/videos?sort=random")
        #expect(badSort.status == 400 && (badSort.json as? [String: Any])?["parameter"] as? String == "sort")
        for query in ["limit=0", "min_duration=-1", "published_after=yesterday", "owner=you", "cursor=garbage"] {
            #expect(try daemon.get("/api/v1/videos?\(query)").status == 400, "\(query)")
        }

        // Search: by tag, then by the channel's new name; never a 500 whatever q holds.
        #expect(Self.ids(try daemon.get("/api/v1/search?q=woodwork")) == [id])
        let channelID = try #require((video["channel"] as? [String: Any])?["id"] as? String)
        #expect(try Self.json(daemon, "PATCH", "/api/v1/channels/\(channelID)", ["name": "Bob's"], headers: bob.headers).status == 403)
        // The public listing is kept in memory between reads (the same bytes for everyone): a
        // change shows in the very next read all the same.
        func listed() throws -> [String: Any]? {
            ((try daemon.get("/api/v1/videos?limit=5").json as? [String: Any])?["items"] as? [[String: Any]])?.first { $0["id"] as? String == id }
        }
        #expect(try listed()?["title"] as? String == "Dovetail joints")
        #expect(try listed()?["title"] as? String == "Dovetail joints")
        let renamed = try Self.json(daemon, "PATCH", "/api/v1/channels/\(channelID)", ["name": "Carpentry Corner"], headers: alice.headers)
        #expect(renamed.status == 200, "\(renamed.body)")
        let found = try Self.object(try daemon.get("/api/v1/search?q=carpentry"))
        #expect(Self.ids(try daemon.get("/api/v1/search?q=carpentry")) == [id] && found["total"] as? Int == 1)
        #expect(try (listed()?["channel"] as? [String: Any])?["name"] as? String == "Carpentry Corner")
        #expect(try Self.json(daemon, "PATCH", path, ["title": "Dovetails, by hand"], headers: alice.headers).status == 200)
        #expect(try listed()?["title"] as? String == "Dovetails, by hand")
        #expect(try daemon.get("/api/v1/search?q=").status == 400)
        #expect(try daemon.get("/api/v1/search?q=" + String(repeating: "a", count: 201)).status == 400)
        for q in ["%22", "NEAR(", "a%20OR", "*", "%27%3B--"] { #expect(try daemon.get("/api/v1/search?q=\(q)").status == 200, "\(q)") }

        // Channels: a second one, a taken handle, moving the video, deleting with force.
        let second = try Self.json(daemon, "POST", "/api/v1/channels", ["handle": "alice-shop", "name": "Shop"], headers: alice.headers)
        let secondID = try #require(try Self.object(second)["id"] as? String)
        #expect(try second.status == 201 && daemon.get("/api/v1/channels/\(secondID)").status == 200)
        #expect(try Self.json(daemon, "POST", "/api/v1/channels", ["handle": "ALICE-SHOP", "name": "Again"], headers: bob.headers).status == 409)
        let bobChannel = try #require(Self.ids(try daemon.get("/api/v1/me/channels", headers: bob.headers)).first)
        #expect(Self.field(try Self.json(daemon, "PATCH", path, ["channel": bobChannel], headers: alice.headers)) == "channel")
        let moved = try Self.object(try Self.json(daemon, "PATCH", path, ["channel": secondID], headers: alice.headers))
        #expect((moved["channel"] as? [String: Any])?["id"] as? String == secondID)
        let notEmpty = try daemon.request("DELETE", "/api/v1/channels/\(secondID)", headers: alice.headers)
        #expect(notEmpty.status == 409 && AuthTests.type(notEmpty) == "channel-not-empty")
        #expect(try daemon.request("DELETE", "/api/v1/channels/\(secondID)?force=true", headers: bob.headers).status == 403)
        #expect(try daemon.request("DELETE", "/api/v1/channels/\(secondID)?force=true", headers: alice.headers).status == 204)
        #expect(try daemon.get(path, headers: alice.headers).status == 404)
        #expect(try listed() == nil)
        #expect(!FileManager.default.fileExists(atPath: dir + "/data/media/videos/\(id)"))
        #expect(try daemon.get("/api/v1/channels/\(secondID)").status == 404)

        // Deleting a category leaves its videos without one.
        let other = try #require(try Self.object(try Self.upload(daemon, clip, fields: ["category": "crafts"], token: alice.token))["id"] as? String)
        #expect(try daemon.request("DELETE", "/api/v1/categories/crafts", headers: root.headers).status == 204)
        #expect(try Self.object(try daemon.get("/api/v1/videos/\(other)"))["category"] is NSNull)
        #expect(try await daemon.stop() == 0)
    }
}
