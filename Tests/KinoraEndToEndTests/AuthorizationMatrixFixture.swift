import Foundation
import KinoraTestSupport
import Testing

extension AuthorizationMatrixTests {
    /// The accounts and resources the matrix calls act on: one account per caller role (the
    /// owner and the other creator both creators), plus `zed`, a viewer the credential and
    /// account-admin rows use, and the owner's private video (published), channel and upload.
    final class Fixture: @unchecked Sendable {
        let daemon: DaemonProcess
        let clip: [UInt8]
        var ids: [String: String] = [:]
        var tokens: [String: String] = [:]
        var channel = ""
        var privateVideo = ""
        var upload = ""
        var playlist = ""
        var avatar: [UInt8] = []
        private var counter = 0

        static let names: [Caller: String] = [.viewer: "vic", .owner: "alice", .other: "bob", .moderator: "mod", .admin: "root"]
        static let vtt = Array("WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n".utf8)

        init(daemon: DaemonProcess, clip: [UInt8]) {
            self.daemon = daemon
            self.clip = clip
        }

        static func make(_ daemon: DaemonProcess, dir: String) async throws -> Fixture {
            let fixture = Fixture(daemon: daemon, clip: try VideoUploadTests.makeClip(dir + "/clip.mp4", seconds: 1))
            for (name, role) in [
                ("vic", "viewer"), ("alice", "creator"), ("bob", "creator"), ("mod", "moderator"), ("root", "admin"), ("zed", "viewer"),
            ] {
                let added = try AuthTests.addUser(daemon, name, role: role, password: fixture.password(name))
                guard added.status == 0 else { throw TestFailure("user add \(name): \(added.output)") }
                fixture.tokens[name] = try AuthTests.tokens(try AuthTests.login(daemon, name, fixture.password(name))).access
                let me = try #require(try daemon.get("/api/v1/me", headers: AuthTests.bearer(fixture.tokens[name]!)).json as? [String: Any])
                fixture.ids[name] = try #require(me["id"] as? String)
            }
            fixture.channel = try #require(CatalogTests.ids(try daemon.get("/api/v1/me/channels", headers: fixture.credentials(.owner))).first)
            _ = try fixture.send("POST", "/api/v1/categories", as: .admin, json: ["id": "music", "name": "Music"])
            fixture.privateVideo = try fixture.freshPrivateVideo()
            fixture.upload = try fixture.freshUpload()
            fixture.playlist = try fixture.freshPlaylist(withItem: true)
            let png = dir + "/avatar.png"
            let made = try TestEnvironment.run(
                "/usr/bin/ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "color=c=red:s=300x200", "-frames:v", "1", png])
            guard made.status == 0 else { throw TestFailure("ffmpeg could not make the avatar: \(made.output)") }
            fixture.avatar = Array(try Data(contentsOf: URL(fileURLWithPath: png)))
            let put = try daemon.request(
                "PUT", "/api/v1/me/avatar", headers: fixture.credentials(.owner).merging(["Content-Type": "image/png"]) { $1 },
                body: fixture.avatar)
            guard (200..<300).contains(put.status) else { throw TestFailure("avatar fixture: \(put.status) \(put.body)") }
            // Streams and events of a published video: wait until it is ready.
            let deadline = ContinuousClock.now + .seconds(90)
            while ContinuousClock.now < deadline {
                let video = try daemon.get("/api/v1/videos/\(fixture.privateVideo)", headers: fixture.credentials(.owner)).json as? [String: Any]
                if video?["status"] as? String == "ready" { return fixture }
                if video?["status"] as? String == "failed" { throw TestFailure("the fixture video failed: \(video ?? [:])") }
                try await Task.sleep(for: .milliseconds(200))
            }
            throw TestFailure("the fixture video was not ready in 90 s")
        }

        func password(_ name: String) -> String { "password for \(name)" }
        func password(_ caller: Caller) -> String { Self.names[caller].map(password) ?? "" }

        func credentials(_ caller: Caller) -> [String: String] {
            guard let name = Self.names[caller], let token = tokens[name] else { return [:] }
            return AuthTests.bearer(token)
        }

        func unique(_ prefix: String) -> String {
            counter += 1
            return "\(prefix)\(counter)"
        }

        func send(_ method: String, _ path: String, as caller: Caller, json: [String: Any]? = nil) throws -> HTTPResult {
            var headers = credentials(caller)
            var body: [UInt8] = []
            if let json {
                headers["Content-Type"] = "application/json"
                body = Array(try JSONSerialization.data(withJSONObject: json))
            }
            return try daemon.request(method, path, headers: headers, body: body)
        }

        func created(_ result: HTTPResult, _ key: String = "id") throws -> String {
            guard (200..<300).contains(result.status), let value = (result.json as? [String: Any])?[key] as? String else {
                throw TestFailure("fixture step failed: \(result.status) \(result.body)")
            }
            return value
        }

        func refreshToken() throws -> String {
            try AuthTests.tokens(try AuthTests.login(daemon, "zed", password("zed"))).refresh
        }

        func apiKey(of caller: Caller) throws -> String {
            try created(try send("POST", "/api/v1/me/api-keys", as: caller, json: ["name": unique("key"), "scopes": ["read"]]))
        }

        /// The public id of a new browser session of the caller's (signed in as a browser would).
        func session(of caller: Caller) throws -> String {
            let name = Self.names[caller] ?? ""
            let login = try daemon.request(
                "POST", "/api/v1/auth/session", headers: ["Content-Type": "application/json"],
                body: Array(try JSONSerialization.data(withJSONObject: ["username": name, "password": password(name)])))
            guard login.status == 200 else { throw TestFailure("session fixture: \(login.status) \(login.body)") }
            let items = (try send("GET", "/api/v1/me/sessions", as: caller).json as? [String: Any])?["items"] as? [[String: Any]]
            guard let id = items?.first?["id"] as? String else { throw TestFailure("session fixture: no session listed") }
            return id
        }

        /// The id of the fixture video's finished transcode job.
        func doneJob() throws -> String {
            let page = try send("GET", "/api/v1/admin/jobs?state=done&limit=1", as: .admin).json as? [String: Any]
            guard let job = (page?["items"] as? [[String: Any]])?.first, let id = job["id"] as? Int else { throw TestFailure("no done job") }
            return String(id)
        }

        func invitation() throws -> String { try created(try send("POST", "/api/v1/invitations", as: .admin, json: [:])) }

        func category() throws -> String {
            try created(try send("POST", "/api/v1/categories", as: .admin, json: ["id": unique("gone"), "name": "Soon gone"]))
        }

        func emptyChannel() throws -> String {
            try created(try send("POST", "/api/v1/channels", as: .owner, json: ["handle": unique("empty"), "name": "Empty"]))
        }

        func uploadCall(visibility: String = "public") -> Call {
            var form = MultipartBody()
            form.field("visibility", visibility)
            form.field("title", "matrix")
            form.file("file", filename: "clip.mp4", data: clip)
            return Call(path: "/api/v1/videos", body: form.finished(), headers: ["Content-Type": form.contentType])
        }

        func freshPrivateVideo() throws -> String {
            let call = uploadCall(visibility: "private")
            return try created(try daemon.request("POST", call.path, headers: call.headers.merging(credentials(.owner)) { $1 }, body: call.body))
        }

        /// The private video with a French track to delete.
        func captionedPrivateVideo() throws -> String {
            let put = try daemon.request(
                "PUT", "/api/v1/videos/\(privateVideo)/captions/fr",
                headers: credentials(.owner).merging(["Content-Type": "text/vtt"]) { $1 }, body: Self.vtt)
            guard (200..<300).contains(put.status) else { throw TestFailure("caption fixture: \(put.status) \(put.body)") }
            return privateVideo
        }

        /// A private playlist of the owner's, with the private video in it or empty.
        func freshPlaylist(withItem: Bool) throws -> String {
            let id = try created(try send("POST", "/api/v1/playlists", as: .owner, json: ["title": unique("list"), "visibility": "private"]))
            if withItem {
                let added = try send("POST", "/api/v1/playlists/\(id)/items", as: .owner, json: ["video_id": privateVideo])
                guard (200..<300).contains(added.status) else { throw TestFailure("playlist fixture: \(added.status) \(added.body)") }
            }
            return id
        }

        /// A new comment of the owner on the private video.
        func freshComment() throws -> String {
            try created(try send("POST", "/api/v1/videos/\(privateVideo)/comments", as: .owner, json: ["body": unique("comment")]))
        }

        /// An open queue item: another viewer's report of a fresh account (anyone can see one).
        func freshQueueItem() throws -> String {
            try created(
                try send("POST", "/api/v1/reports", as: .viewer, json: ["target_type": "user", "target_id": try freshAccount(), "reason": "spam"]),
                "item_id")
        }

        /// A new viewer account (through open sign-up), for the admin to delete.
        func freshAccount() throws -> String {
            let name = unique("gone")
            let tokens = try AuthTests.tokens(
                try daemon.request(
                    "POST", "/api/v1/auth/signup", headers: ["Content-Type": "application/json"],
                    body: Array(try JSONSerialization.data(withJSONObject: ["username": name, "password": "a long enough password"]))))
            let me = try #require(try daemon.get("/api/v1/me", headers: AuthTests.bearer(tokens.access)).json as? [String: Any])
            return try #require(me["id"] as? String)
        }

        /// A new tus upload of the owner's, 100 bytes long, nothing sent yet.
        func freshUpload() throws -> String {
            let result = try daemon.request(
                "POST", "/api/v1/uploads", headers: credentials(.owner).merging(["Tus-Resumable": "1.0.0", "Upload-Length": "100"]) { $1 })
            guard result.status == 201, let location = result.headers["location"] else {
                throw TestFailure("tus fixture: \(result.status) \(result.body)")
            }
            return String(location.split(separator: "/").last ?? "")
        }
    }
}
