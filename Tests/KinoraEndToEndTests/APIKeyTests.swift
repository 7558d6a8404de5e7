import Foundation
import KinoraTestSupport
import Testing

/// API keys: made once, limited by scopes, revocable, dead with a disabled owner.
@Suite struct APIKeyTests {
    static func makeKey(_ daemon: DaemonProcess, _ credential: [String: String], _ object: [String: Any]) throws -> HTTPResult {
        try daemon.request(
            "POST", "/api/v1/me/api-keys", headers: AccountAdminTests.json(credential),
            body: Array(try JSONSerialization.data(withJSONObject: object)))
    }

    static func key(_ result: HTTPResult) throws -> String {
        try #require((result.json as? [String: Any])?["key"] as? String, "\(result.status) \(result.body)")
    }

    static let tusCreate = ["Tus-Resumable": "1.0.0", "Upload-Length": "100"]

    @Test func scopesLimitWhatAKeyMayDo() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("apikeys")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir)
        try await daemon.start()
        #expect(try AuthTests.addUser(daemon, "kit", role: "creator", password: "kit's long password").status == 0)
        #expect(try AuthTests.addUser(daemon, "ops", role: "admin", password: "ops's long password").status == 0)
        let kit = AuthTests.bearer(try AuthTests.tokens(try AuthTests.login(daemon, "kit", "kit's long password")).access)
        let ops = AuthTests.bearer(try AuthTests.tokens(try AuthTests.login(daemon, "ops", "ops's long password")).access)

        let made = try Self.makeKey(daemon, kit, ["name": "ci reader", "scopes": ["read"], "expires_in_days": 30])
        #expect(made.status == 201 && made.headers["cache-control"] == "no-store", "\(made.body)")
        let readKey = try Self.key(made)
        let prefix = try #require((made.json as? [String: Any])?["prefix"] as? String)
        #expect(readKey.hasPrefix("knk_") && readKey.count > 40 && readKey.hasPrefix(prefix) && prefix.count == 12)

        // Refusals when making keys.
        let adminScope = try Self.makeKey(daemon, kit, ["name": "nope", "scopes": ["admin"]])
        #expect(adminScope.status == 403, "only admins make admin keys")
        for (body, field) in [
            (["name": "x", "scopes": ["root"]], "scopes"), (["name": "x", "scopes": [String]()], "scopes"),
            (["name": "", "scopes": ["read"]], "name"), (["name": "x", "scopes": ["read"], "expires_in_days": 0], "expires_in_days"),
        ] as [([String: Any], String)] {
            let refused = try Self.makeKey(daemon, kit, body)
            #expect(refused.status == 422 && (refused.json as? [String: Any])?["field"] as? String == field, "\(body): \(refused.body)")
        }

        // The key acts as its owner, by either header.
        for header in [["X-API-Key": readKey], AuthTests.bearer(readKey)] {
            let me = try daemon.get("/api/v1/me", headers: header)
            #expect(me.status == 200 && (me.json as? [String: Any])?["username"] as? String == "kit", "\(me.body)")
        }
        // A read key cannot upload, write, or make keys.
        let upload = try daemon.request("POST", "/api/v1/uploads", headers: Self.tusCreate.merging(["X-API-Key": readKey]) { $1 })
        #expect(upload.status == 403 && AuthTests.type(upload) == "insufficient-scope", "\(upload.body)")
        let multipart = try daemon.request(
            "POST", "/api/v1/videos", headers: ["X-API-Key": readKey, "Content-Type": "multipart/form-data; boundary=x"])
        #expect(multipart.status == 403 && AuthTests.type(multipart) == "insufficient-scope")
        #expect(AuthTests.type(try Self.makeKey(daemon, ["X-API-Key": readKey], ["name": "child", "scopes": ["read"]])) == "insufficient-scope")

        // An admin's keys: upload-only uploads but cannot read admin routes; admin-scoped can.
        let opsUpload = try Self.key(try Self.makeKey(daemon, ops, ["name": "uploader", "scopes": ["upload"]]))
        let created = try daemon.request("POST", "/api/v1/uploads", headers: Self.tusCreate.merging(["X-API-Key": opsUpload]) { $1 })
        #expect(created.status == 201, "\(created.body)")
        #expect(AuthTests.type(try daemon.get("/api/v1/plugins", headers: ["X-API-Key": opsUpload])) == "insufficient-scope")
        let opsAdmin = try Self.key(try Self.makeKey(daemon, ops, ["name": "admin", "scopes": ["admin", "read"]]))
        #expect(try daemon.get("/api/v1/plugins", headers: ["X-API-Key": opsAdmin]).status == 200)
        let kitAll = try Self.key(try Self.makeKey(daemon, kit, ["name": "all", "scopes": ["read", "write", "upload"]]))
        let child = try Self.makeKey(daemon, ["X-API-Key": kitAll], ["name": "child", "scopes": ["read"]])
        #expect(child.status == 201, "a key may make a key with fewer scopes")

        // The list: no key material, last use recorded.
        let listed = try daemon.get("/api/v1/me/api-keys", headers: kit)
        let items = try #require((listed.json as? [String: Any])?["items"] as? [[String: Any]])
        #expect(items.count == 3 && !listed.body.contains(readKey) && items.allSatisfy { $0["key"] == nil })
        let reader = try #require(items.first { $0["name"] as? String == "ci reader" })
        #expect(reader["prefix"] as? String == prefix && reader["scopes"] as? [String] == ["read"])
        #expect(reader["last_used_at"] is String && reader["expires_at"] is String && reader["created_at"] is String)

        // Revoked: 401. Another account's key id looks absent.
        let readerID = try #require(reader["id"] as? String)
        #expect(try daemon.request("DELETE", "/api/v1/me/api-keys/\(readerID)", headers: ops).status == 404)
        #expect(try daemon.request("DELETE", "/api/v1/me/api-keys/\(readerID)", headers: kit).status == 204)
        let revoked = try daemon.get("/api/v1/me", headers: ["X-API-Key": readKey])
        #expect(revoked.status == 401 && AuthTests.type(revoked) == "invalid-api-key", "\(revoked.body)")
        #expect(try daemon.get("/api/v1/me", headers: AuthTests.bearer("knk_made-up")).status == 401)

        // A disabled owner's keys stop working.
        let kitID = try #require((try daemon.get("/api/v1/me", headers: kit).json as? [String: Any])?["id"] as? String)
        let disable = try daemon.request(
            "PATCH", "/api/v1/users/\(kitID)", headers: AccountAdminTests.json(["X-API-Key": opsAdmin]),
            body: Array(#"{"disabled": true}"#.utf8))
        #expect(disable.status == 200, "\(disable.body)")
        #expect(try daemon.get("/api/v1/me", headers: ["X-API-Key": kitAll]).status == 401)
        #expect(try await daemon.stop() == 0)
        #expect(!daemon.log.contains(readKey))
    }

    /// The scope a request needs follows the route the router matched, not the path's prefix:
    /// watch progress lies below /api/v1/videos but is no upload, a public avatar lies below
    /// /api/v1/users but is no admin route.
    @Test func scopesFollowTheMatchedRoute() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("apikey-routes")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()
        #expect(try AuthTests.addUser(daemon, "kit", role: "creator", password: "kit's long password").status == 0)
        let kit = AuthTests.bearer(try AuthTests.tokens(try AuthTests.login(daemon, "kit", "kit's long password")).access)
        let kitID = try #require((try daemon.get("/api/v1/me", headers: kit).json as? [String: Any])?["id"] as? String)
        let picture = try AvatarAndDeletionTests.picture(dir + "/face.png", width: 96, height: 96)
        #expect(
            try daemon.request("PUT", "/api/v1/me/avatar", headers: kit.merging(["Content-Type": "image/png"]) { $1 }, body: picture).status == 200)

        let uploadKey = try Self.key(try Self.makeKey(daemon, kit, ["name": "uploader", "scopes": ["upload"]]))
        let readKey = try Self.key(try Self.makeKey(daemon, kit, ["name": "reader", "scopes": ["read"]]))
        let writeKey = try Self.key(try Self.makeKey(daemon, kit, ["name": "writer", "scopes": ["write"]]))
        func progress(_ key: String) throws -> HTTPResult {
            // No such video: a key with the scope gets past the scope check to the 404.
            try daemon.request(
                "POST", "/api/v1/videos/no-such-video/progress", headers: AccountAdminTests.json(["X-API-Key": key]),
                body: Array(#"{"position": 1}"#.utf8))
        }
        let byUploader = try progress(uploadKey)
        #expect(
            byUploader.status == 403 && AuthTests.type(byUploader) == "insufficient-scope"
                && (byUploader.json as? [String: Any])?["scope"] as? String == "write", "\(byUploader.status) \(byUploader.body)")
        #expect(AuthTests.type(try progress(readKey)) == "insufficient-scope")
        let byWriter = try progress(writeKey)
        #expect(byWriter.status == 404, "\(byWriter.status) \(byWriter.body)")

        let avatar = try daemon.get("/api/v1/users/\(kitID)/avatar?size=64", headers: ["X-API-Key": readKey])
        #expect(avatar.status == 200 && avatar.headers["content-type"] == "image/jpeg", "\(avatar.status) \(avatar.body.prefix(200))")
        #expect(try daemon.get("/api/v1/users/\(kitID)/playlists", headers: ["X-API-Key": readKey]).status == 200)
        // Admin routes below the same prefix still need admin; an unknown path is a 404 for any key.
        #expect(AuthTests.type(try daemon.get("/api/v1/users/\(kitID)", headers: ["X-API-Key": readKey])) == "insufficient-scope")
        #expect(try daemon.get("/api/v1/no-such-route", headers: ["X-API-Key": readKey]).status == 404)
        #expect(try await daemon.stop() == 0)
    }
}
