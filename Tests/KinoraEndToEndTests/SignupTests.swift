import Foundation
import KinoraTestSupport
import Testing

/// Sign-up in its three modes, the password and username rules, invitations and the throttle.
@Suite struct SignupTests {
    /// A daemon whose kinora.toml has `auth` as its [auth] table.
    static func daemon(auth: String) async throws -> (DaemonProcess, String) {
        let dir = try TestEnvironment.makeTemporaryDirectory("signup")
        let config = dir + "/kinora.toml"
        try "[auth]\n\(auth)\n".write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", config])
        try await daemon.start()
        return (daemon, dir)
    }

    static func signup(_ daemon: DaemonProcess, _ object: [String: Any]) throws -> HTTPResult {
        try AuthTests.post(daemon, "/api/v1/auth/signup", object)
    }

    static func field(_ result: HTTPResult) -> String? { (result.json as? [String: Any])?["field"] as? String }

    @Test func openSignupChecksEveryRuleAndIsThrottledPerAddress() async throws {
        let (daemon, dir) = try await Self.daemon(auth: "signup = \"open\"\nsignup_role = \"viewer\"\nsignup_attempts_per_hour = 12")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var attempts = 0
        func attempt(_ object: [String: Any]) throws -> HTTPResult {
            attempts += 1
            return try Self.signup(daemon, object)
        }

        let created = try attempt(["username": "carol", "password": "carol's long password", "display_name": "Carol C"])
        #expect(created.status == 201, "\(created.body)")
        #expect(created.headers["cache-control"] == "no-store")
        let tokens = try AuthTests.tokens(created)
        let me = try #require(try daemon.get("/api/v1/me", headers: AuthTests.bearer(tokens.access)).json as? [String: Any])
        #expect(me["username"] as? String == "carol" && me["role"] as? String == "viewer" && me["display_name"] as? String == "Carol C")
        #expect(try AuthTests.login(daemon, "carol", "carol's long password").status == 200)

        let taken = try attempt(["username": "CAROL", "password": "another long password"])
        #expect(taken.status == 409 && AuthTests.type(taken) == "username-taken", "\(taken.body)")

        // Each rule: a 422 naming the field.
        let refusals: [([String: Any], String)] = [
            (["username": "dave", "password": "short"], "password"),
            (["username": "dave", "password": String(repeating: "é", count: 37)], "password"),  // 37 characters, 74 bytes
            (["username": "longusername1", "password": "LongUsername1"], "password"),
            (["username": "ab", "password": "a fine password"], "username"),
            (["username": "-dash", "password": "a fine password"], "username"),
            (["username": "dave", "password": "a fine password", "display_name": "   "], "display_name"),
        ]
        for (body, field) in refusals {
            let refused = try attempt(body)
            #expect(
                refused.status == 422 && AuthTests.type(refused) == "invalid-field" && Self.field(refused) == field,
                "\(body): \(refused.status) \(refused.body)")
        }
        // A reserved name (it would become the channel @admin) has a type of its own.
        let reserved = try attempt(["username": "Admin", "password": "a fine password"])
        #expect(reserved.status == 422 && AuthTests.type(reserved) == "handle-reserved" && Self.field(reserved) == "username", "\(reserved.body)")
        let missing = try attempt(["username": "dave"])
        #expect(missing.status == 400 && Self.field(missing) == "password", "\(missing.body)")
        let wrongType = try attempt(["username": "dave", "password": 1234567890123])
        #expect(wrongType.status == 400 && Self.field(wrongType) == "password", "\(wrongType.body)")

        while attempts < 12 { #expect(try attempt(["username": "x"]).status == 400) }
        let throttled = try Self.signup(daemon, ["username": "erin", "password": "erin's long password"])
        #expect(throttled.status == 429 && AuthTests.type(throttled) == "too-many-attempts", "\(throttled.body)")
        #expect(Int(throttled.headers["retry-after"] ?? "") ?? 0 > 0)
        #expect(try await daemon.stop() == 0)
        #expect(!daemon.log.contains("carol's long password"))
    }

    @Test func inviteModeNeedsALiveCodeAndClosedModeTakesNobody() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("signup")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir)  // embedded defaults: signup = "invite"
        try await daemon.start()
        let admin = AuthTests.bearer(daemon.adminToken)

        let uninvited = try Self.signup(daemon, ["username": "nina", "password": "nina's long password"])
        #expect(uninvited.status == 403 && AuthTests.type(uninvited) == "invitation-required", "\(uninvited.body)")
        #expect(try Self.signup(daemon, ["username": "nina", "password": "nina's long password", "invitation": "made-up"]).status == 403)

        let made = try daemon.request(
            "POST", "/api/v1/invitations", headers: admin.merging(["Content-Type": "application/json"]) { $1 },
            body: Array(#"{"max_uses": 2, "role": "viewer", "expires_in_days": 2}"#.utf8))
        #expect(made.status == 201, "\(made.body)")
        let invitation = try #require(made.json as? [String: Any])
        let code = try #require(invitation["code"] as? String)
        let id = try #require(invitation["id"] as? String)
        #expect(invitation["remaining_uses"] as? Int == 2 && invitation["role"] as? String == "viewer")

        for name in ["nina", "omar"] {
            let joined = try Self.signup(daemon, ["username": name, "password": "\(name)'s long password", "invitation": code])
            #expect(joined.status == 201, "\(joined.body)")
            let me = try daemon.get("/api/v1/me", headers: AuthTests.bearer(try AuthTests.tokens(joined).access))
            #expect((me.json as? [String: Any])?["role"] as? String == "viewer")
        }
        let usedUp = try Self.signup(daemon, ["username": "pia", "password": "pia's long password", "invitation": code])
        #expect(usedUp.status == 403 && AuthTests.type(usedUp) == "invalid-invitation", "\(usedUp.body)")

        let list = try daemon.get("/api/v1/invitations", headers: admin)
        let items = try #require((list.json as? [String: Any])?["items"] as? [[String: Any]])
        #expect(items.count == 1 && items[0]["uses"] as? Int == 2 && items[0]["remaining_uses"] as? Int == 0)
        #expect(items[0]["code"] == nil && !list.body.contains(code), "the code is shown once, when made")

        // Defaults: one use, the sign-up role; a revoked code no longer works.
        let single = try #require(try daemon.request("POST", "/api/v1/invitations", headers: admin).json as? [String: Any])
        #expect(single["max_uses"] as? Int == 1 && single["role"] as? String == "creator")
        let singleID = try #require(single["id"] as? String)
        #expect(try daemon.request("DELETE", "/api/v1/invitations/\(singleID)", headers: admin).status == 204)
        #expect(try daemon.request("DELETE", "/api/v1/invitations/\(singleID)", headers: admin).status == 404)
        let revoked = try Self.signup(
            daemon, ["username": "quinn", "password": "quinn's long password", "invitation": try #require(single["code"] as? String)])
        #expect(revoked.status == 403)
        let bad = try daemon.request(
            "POST", "/api/v1/invitations", headers: admin.merging(["Content-Type": "application/json"]) { $1 },
            body: Array(#"{"max_uses": 0}"#.utf8))
        #expect(bad.status == 422 && Self.field(bad) == "max_uses")

        // Invitations are for admins only.
        let viewer = try AuthTests.tokens(try AuthTests.login(daemon, "nina", "nina's long password"))
        #expect(try daemon.get("/api/v1/invitations", headers: AuthTests.bearer(viewer.access)).status == 403)
        #expect(try daemon.request("DELETE", "/api/v1/invitations/\(id)").status == 401)
        #expect(try await daemon.stop() == 0)
        #expect(!daemon.log.contains(code))

        let (closed, closedDir) = try await Self.daemon(auth: "signup = \"closed\"")
        defer { try? FileManager.default.removeItem(atPath: closedDir) }
        let refused = try Self.signup(closed, ["username": "rita", "password": "rita's long password"])
        #expect(refused.status == 403 && AuthTests.type(refused) == "signup-closed", "\(refused.body)")
        #expect(try await closed.stop() == 0)
    }
}
