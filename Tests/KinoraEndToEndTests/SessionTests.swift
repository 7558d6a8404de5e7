import Foundation
import KinoraTestSupport
import Testing

/// Browser sessions through the real daemon: the cookie, CSRF and Origin checks, logout,
/// expiry and forged cookies.
@Suite struct SessionTests {
    typealias Auth = AuthTests

    static func sessionLogin(_ daemon: DaemonProcess, _ user: String, _ password: String, headers: [String: String] = [:]) throws -> HTTPResult {
        try daemon.request(
            "POST", "/api/v1/auth/session", headers: headers.merging(["Content-Type": "application/json"]) { $1 },
            body: Array(try JSONSerialization.data(withJSONObject: ["username": user, "password": password])))
    }

    /// The cookie value from `Set-Cookie`, and the attributes.
    static func cookie(_ result: HTTPResult) throws -> (value: String, attributes: [String]) {
        let header = try #require(result.headers["set-cookie"], "no Set-Cookie: \(result.status) \(result.body)")
        let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        let pair = try #require(parts.first?.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false))
        #expect(pair.first == "kinora_session")
        return (pair.count > 1 ? String(pair[1]) : "", Array(parts.dropFirst()))
    }

    static func clearsCookie(_ result: HTTPResult) -> Bool {
        guard let header = result.headers["set-cookie"] else { return false }
        return header.hasPrefix("kinora_session=;") && header.contains("Max-Age=0")
    }

    @Test func cookieLoginCSRFOriginAndLogout() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("sessions")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir)
        try await daemon.start()
        #expect(try Auth.addUser(daemon, "gina", role: "viewer", password: "ginas password").status == 0)

        let login = try Self.sessionLogin(daemon, "gina", "ginas password")
        #expect(login.status == 200, "\(login.body)")
        #expect(login.headers["cache-control"] == "no-store")
        let body = try #require(login.json as? [String: Any])
        let csrf = try #require(body["csrf_token"] as? String)
        #expect((body["user"] as? [String: Any])?["username"] as? String == "gina")
        let (token, attributes) = try Self.cookie(login)
        #expect(token.count >= 43, "256 random bits")
        #expect(attributes.contains("HttpOnly") && attributes.contains("SameSite=Lax") && attributes.contains("Path=/"))
        #expect(!attributes.contains("Secure"), "plain HTTP on loopback without cookie_secure")
        let cookie = ["Cookie": "theme=dark; kinora_session=\(token)"]

        // The cookie alone authenticates reads; the role is the account's.
        let me = try daemon.get("/api/v1/me", headers: cookie)
        #expect(me.status == 200 && (me.json as? [String: Any])?["username"] as? String == "gina", "\(me.body)")
        #expect(try daemon.get("/api/v1/plugins", headers: cookie).status == 403)
        // A reload gets a fresh-looking CSRF token; the first one stays valid (another tab).
        let reload = try daemon.get("/api/v1/auth/session", headers: cookie)
        let reloaded = try #require((reload.json as? [String: Any])?["csrf_token"] as? String, "\(reload.body)")
        #expect(reloaded != csrf && ((reload.json as? [String: Any])?["user"] as? [String: Any])?["username"] as? String == "gina")

        // Unsafe methods need the CSRF token, and no foreign Origin.
        let json = ["Content-Type": "application/json"]
        let bare = try daemon.request("POST", "/api/v1/me/totp", headers: cookie.merging(json) { $1 })
        #expect(bare.status == 403 && Auth.type(bare) == "csrf-failed", "\(bare.body)")
        let wrong = try daemon.request("POST", "/api/v1/me/totp", headers: cookie.merging(["X-CSRF-Token": csrf + "x"]) { $1 })
        #expect(wrong.status == 403 && Auth.type(wrong) == "csrf-failed")
        let withToken = cookie.merging(["X-CSRF-Token": csrf]) { $1 }
        let foreign = try daemon.request("POST", "/api/v1/me/totp", headers: withToken.merging(["Origin": "https://evil.example"]) { $1 })
        #expect(foreign.status == 403 && Auth.type(foreign) == "csrf-failed")
        let sameOrigin = try daemon.request(
            "POST", "/api/v1/me/totp", headers: withToken.merging(["Origin": "http://127.0.0.1:\(daemon.port)"]) { $1 })
        #expect(sameOrigin.status == 200, "\(sameOrigin.body)")
        #expect(try daemon.request("POST", "/api/v1/me/totp", headers: cookie.merging(["X-CSRF-Token": reloaded]) { $1 }).status == 200)
        // Bearer tokens need no CSRF token, even with a session cookie beside them.
        let access = try Auth.tokens(try Auth.login(daemon, "gina", "ginas password")).access
        #expect(try daemon.request("POST", "/api/v1/me/totp", headers: cookie.merging(Auth.bearer(access)) { $1 }).status == 200)
        #expect(try daemon.get("/api/v1/auth/session", headers: Auth.bearer(access)).status == 404)

        // Logout needs the CSRF token too, then the cookie is dead and cleared.
        #expect(try daemon.request("DELETE", "/api/v1/auth/session", headers: cookie).status == 403)
        let logout = try daemon.request("DELETE", "/api/v1/auth/session", headers: withToken)
        #expect(logout.status == 204 && Self.clearsCookie(logout), "\(logout.headers)")
        let after = try daemon.get("/api/v1/me", headers: cookie)
        #expect(after.status == 401 && Self.clearsCookie(after))
        #expect(try daemon.get("/api/v1/auth/session", headers: cookie).status == 401)

        // A forged cookie is anonymous, not an error: public routes answer, and it is cleared.
        let forged = ["Cookie": "kinora_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]
        let health = try daemon.get("/healthz", headers: forged)
        #expect(health.status == 200 && Self.clearsCookie(health))
        #expect(try daemon.get("/api/v1/me", headers: forged).status == 401)
        // Logging in over a dead cookie sets the new one, not a clearing one.
        let relogin = try Self.sessionLogin(daemon, "gina", "ginas password", headers: forged)
        #expect(relogin.status == 200 && !Self.clearsCookie(relogin))
        let second = ["Cookie": "kinora_session=\(try Self.cookie(relogin).value)"]
        #expect(try daemon.get("/api/v1/me", headers: second).status == 200)
        let otherSessions = try daemon.request("POST", "/api/v1/me/totp", headers: second.merging(["X-CSRF-Token": csrf]) { $1 })
        #expect(otherSessions.status == 403, "a CSRF token is bound to its session")

        // Logout everywhere (with a refresh token) ends browser sessions too.
        let refresh = try Auth.tokens(try Auth.login(daemon, "gina", "ginas password")).refresh
        #expect(try Auth.post(daemon, "/api/v1/auth/logout?everywhere=true", ["refresh_token": refresh]).status == 204)
        #expect(try daemon.get("/api/v1/me", headers: second).status == 401)

        // A wrong password over the session route: 401, no cookie.
        let refused = try Self.sessionLogin(daemon, "gina", "not her password")
        #expect(refused.status == 401 && Auth.type(refused) == "invalid-credentials" && refused.headers["set-cookie"] == nil)
        #expect(try await daemon.stop() == 0)
        #expect(!daemon.log.contains(token) && !daemon.log.contains(csrf))
    }

    @Test func sessionsExpireAndTrustedProxiesMakeTheCookieSecure() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("sessions")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = dir + "/kinora.toml"
        // 0.00003 days: about 2.6 s of absolute lifetime.
        try "[server]\ntrusted_proxies = [\"127.0.0.1\"]\n[auth]\nsession_days = 0.00003\n".write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", config])
        try await daemon.start()
        #expect(try Auth.addUser(daemon, "hank", role: "creator", password: "hanks password", extra: ["--config", config]).status == 0)

        let plain = try Self.sessionLogin(daemon, "hank", "hanks password")
        #expect(try !Self.cookie(plain).attributes.contains("Secure"))
        let proxied = try Self.sessionLogin(daemon, "hank", "hanks password", headers: ["X-Forwarded-Proto": "https"])
        let (token, attributes) = try Self.cookie(proxied)
        #expect(attributes.contains("Secure") && attributes.contains("Max-Age=2"), "\(attributes)")
        let cookie = ["Cookie": "kinora_session=\(token)"]
        #expect(try daemon.get("/api/v1/me", headers: cookie).status == 200)

        try await Task.sleep(for: .seconds(3))
        let expired = try daemon.get("/api/v1/me", headers: cookie)
        #expect(expired.status == 401 && Self.clearsCookie(expired), "\(expired.status) \(expired.headers)")
        #expect(try await daemon.stop() == 0)
    }

    @Test func onlyThisServersPagesStartASessionAndOriginsCompareTheScheme() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("sessions")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = dir + "/kinora.toml"
        try "[server]\npublic_url = \"https://video.example\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", config])
        try await daemon.start()
        #expect(try Auth.addUser(daemon, "ines", role: "viewer", password: "ines long password", extra: ["--config", config]).status == 0)
        let credentials = Array(try JSONSerialization.data(withJSONObject: ["username": "ines", "password": "ines long password"]))

        // A cross-site form can send text/plain but not JSON: refused before the password.
        let form = try daemon.request("POST", "/api/v1/auth/session", headers: ["Content-Type": "text/plain"], body: credentials)
        #expect(form.status == 415 && Auth.type(form) == "unsupported-media-type" && form.headers["set-cookie"] == nil, "\(form.body)")
        #expect(form.headers["content-type"] == "application/problem+json")
        #expect(try daemon.request("POST", "/api/v1/auth/session", body: credentials).status == 415)
        // A browser says where the request comes from; only this server's pages may sign in.
        let crossSite = try Self.sessionLogin(daemon, "ines", "ines long password", headers: ["Sec-Fetch-Site": "cross-site"])
        #expect(crossSite.status == 403 && Auth.type(crossSite) == "csrf-failed" && crossSite.headers["set-cookie"] == nil, "\(crossSite.body)")
        let foreign = try Self.sessionLogin(daemon, "ines", "ines long password", headers: ["Origin": "https://evil.example"])
        #expect(foreign.status == 403 && Auth.type(foreign) == "csrf-failed")
        #expect(
            try Self.sessionLogin(daemon, "ines", "ines long password", headers: ["Origin": "http://video.example"]).status == 403,
            "a plain-HTTP page is not the HTTPS site")
        let own = try Self.sessionLogin(
            daemon, "ines", "ines long password",
            headers: ["Origin": "https://video.example", "Sec-Fetch-Site": "same-origin"])
        #expect(own.status == 200, "\(own.body)")

        // An https public_url makes the cookie Secure, on plain loopback HTTP too.
        let (token, attributes) = try Self.cookie(own)
        #expect(attributes.contains("Secure"), "\(attributes)")
        let csrf = try #require((own.json as? [String: Any])?["csrf_token"] as? String)
        let cookie = ["Cookie": "kinora_session=\(token)", "X-CSRF-Token": csrf]

        // The request's own origin counts with its scheme: this loopback server speaks HTTP.
        let httpsSelf = try daemon.request("POST", "/api/v1/me/totp", headers: cookie.merging(["Origin": "https://127.0.0.1:\(daemon.port)"]) { $1 })
        #expect(httpsSelf.status == 403 && Auth.type(httpsSelf) == "csrf-failed", "\(httpsSelf.body)")
        #expect(try daemon.request("POST", "/api/v1/me/totp", headers: cookie.merging(["Origin": "http://video.example"]) { $1 }).status == 403)
        #expect(try daemon.request("POST", "/api/v1/me/totp", headers: cookie.merging(["Origin": "https://video.example:443"]) { $1 }).status == 200)
        #expect(
            try daemon.request("POST", "/api/v1/me/totp", headers: cookie.merging(["Origin": "http://127.0.0.1:\(daemon.port)"]) { $1 }).status == 200
        )
        #expect(try await daemon.stop() == 0)
    }
}
