import Foundation
import KinoraTestSupport
import Testing

/// The sessions API through the real daemon: an account lists its browser sessions (the one
/// of the request marked), ends one by its public id, and an admin lists and ends them all.
@Suite struct SessionListTests {
    typealias Auth = AuthTests

    static func items(_ result: HTTPResult) -> [[String: Any]] {
        (result.json as? [String: Any])?["items"] as? [[String: Any]] ?? []
    }

    /// A browser's cookie header and CSRF token after a session login.
    static func browser(
        _ daemon: DaemonProcess, _ user: String, _ password: String, agent: String? = nil
    ) throws -> (headers: [String: String], csrf: String) {
        let login = try SessionTests.sessionLogin(daemon, user, password, headers: agent.map { ["User-Agent": $0] } ?? [:])
        let csrf = try #require((login.json as? [String: Any])?["csrf_token"] as? String, "\(login.status) \(login.body)")
        return (["Cookie": "kinora_session=\(try SessionTests.cookie(login).value)"], csrf)
    }

    @Test func listEndOneAndAdminEndsAll() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("session-list")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir)
        try await daemon.start()
        #expect(try Auth.addUser(daemon, "gina", role: "viewer", password: "ginas password").status == 0)
        #expect(try Auth.addUser(daemon, "hal", role: "viewer", password: "hals password").status == 0)
        #expect(try Auth.addUser(daemon, "root", role: "admin", password: "roots password").status == 0)

        let laptop = try Self.browser(daemon, "gina", "ginas password")
        let phone = try Self.browser(
            daemon, "gina", "ginas password",
            agent: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36")
        let hal = try Self.browser(daemon, "hal", "hals password")

        // Two sessions, the laptop's marked as this one; no cookie, no hash.
        let listed = try daemon.get("/api/v1/me/sessions", headers: laptop.headers)
        #expect(listed.status == 200 && listed.headers["cache-control"] == "no-store", "\(listed.body)")
        let sessions = Self.items(listed)
        #expect(sessions.count == 2)
        #expect(sessions.filter { $0["current"] as? Bool == true }.count == 1)
        for session in sessions {
            let id = try #require(session["id"] as? String)
            #expect(id.count == 16 && id.allSatisfy(\.isHexDigit))
            #expect(session["created_at"] is String && session["last_seen_at"] is String && session["expires_at"] is String)
            #expect(!laptop.headers["Cookie"]!.contains(id))
        }
        let other = try #require(sessions.first { $0["current"] as? Bool == false }?["id"] as? String)
        // The browser, summarised from its User-Agent at login; none sent, none shown.
        #expect(sessions.first { $0["current"] as? Bool == false }?["user_agent"] as? String == "Chrome on Android")
        #expect(sessions.first { $0["current"] as? Bool == true }?["user_agent"] is NSNull)

        // Bearer tokens carry no session: none is current.
        let access = try Auth.tokens(try Auth.login(daemon, "gina", "ginas password")).access
        #expect(Self.items(try daemon.get("/api/v1/me/sessions", headers: Auth.bearer(access))).allSatisfy { $0["current"] as? Bool == false })

        // Another account cannot end gina's session: it is unknown to hal.
        let halDelete = try daemon.request("DELETE", "/api/v1/me/sessions/\(other)", headers: hal.headers.merging(["X-CSRF-Token": hal.csrf]) { $1 })
        #expect(halDelete.status == 404 && Auth.type(halDelete) == "not-found", "\(halDelete.body)")
        // Ending one needs the CSRF token like every unsafe cookie request.
        #expect(try daemon.request("DELETE", "/api/v1/me/sessions/\(other)", headers: laptop.headers).status == 403)
        let laptopWrite = laptop.headers.merging(["X-CSRF-Token": laptop.csrf]) { $1 }
        #expect(try daemon.request("DELETE", "/api/v1/me/sessions/\(other)", headers: laptopWrite).status == 204)
        #expect(try daemon.get("/api/v1/me", headers: phone.headers).status == 401, "the phone is signed out")
        #expect(try daemon.get("/api/v1/me", headers: laptop.headers).status == 200, "the laptop is not")
        #expect(try daemon.request("DELETE", "/api/v1/me/sessions/\(other)", headers: laptopWrite).status == 404, "already ended")
        #expect(try daemon.request("DELETE", "/api/v1/me/sessions/not-an-id", headers: laptopWrite).status == 404)
        #expect(Self.items(try daemon.get("/api/v1/me/sessions", headers: laptop.headers)).count == 1)

        // The admin sees gina's sessions (none current) and ends them all; hal's stay.
        let rootToken = try Auth.tokens(try Auth.login(daemon, "root", "roots password")).access
        let me = try #require(try daemon.get("/api/v1/me", headers: Auth.bearer(access)).json as? [String: Any])
        let gina = try #require(me["id"] as? String)
        let adminList = try daemon.get("/api/v1/users/\(gina)/sessions", headers: Auth.bearer(rootToken))
        #expect(adminList.status == 200 && Self.items(adminList).count == 1 && Self.items(adminList).first?["current"] as? Bool == false)
        #expect(try daemon.request("DELETE", "/api/v1/users/\(gina)/sessions", headers: Auth.bearer(rootToken)).status == 204)
        #expect(try daemon.get("/api/v1/me", headers: laptop.headers).status == 401)
        #expect(try daemon.get("/api/v1/me", headers: hal.headers).status == 200)
        #expect(Self.items(try daemon.get("/api/v1/users/\(gina)/sessions", headers: Auth.bearer(rootToken))).isEmpty)
        #expect(try daemon.get("/api/v1/users/nobody/sessions", headers: Auth.bearer(rootToken)).status == 404)
        #expect(try daemon.get("/api/v1/users/\(gina)/sessions", headers: Auth.bearer(access)).status == 403)
        #expect(try await daemon.stop() == 0)
    }
    /// Single sign-on in a browser: the login page's button starts the flow with a redirect
    /// back to itself; the one-time code from the fragment becomes a session cookie, once.
    @Test func singleSignOnEndsInABrowserSession() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("sso-session")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let provider = OIDCProviderProcess()
        defer { provider.stop() }
        try await provider.start()
        let daemon = try await OIDCTests.start(provider, dir: dir)
        defer { if daemon.process.isRunning { daemon.killHard() } }
        try provider.setUser("ivy-sub", claims: ["email": "ivy@example.com", "email_verified": true, "preferred_username": "ivy"])

        let listed = try daemon.get("/api/v1/auth/oidc/providers")
        let names = ((listed.json as? [String: Any])?["items"] as? [[String: Any]])?.compactMap { $0["display_name"] as? String }
        #expect(names?.contains("Mock SSO") == true, "\(listed.body)")

        let started = try OIDCTests.begin(daemon, provider, query: "redirect=%2Flogin%3Fnext%3D%252Fsettings")
        let callback = try daemon.get(
            try OIDCTests.authorize(provider, started, as: "ivy-sub", port: daemon.port), headers: ["Cookie": started.cookie])
        let location = try #require(callback.headers["location"], "\(callback.status) \(callback.body)")
        let prefix = "/login?next=%2Fsettings#oidc_code="
        #expect(location.hasPrefix(prefix), "\(location)")
        let code = String(location.dropFirst(prefix.count))

        let body = { (object: [String: Any]) in Array(try JSONSerialization.data(withJSONObject: object)) }
        let session = try daemon.request(
            "POST", "/api/v1/auth/session", headers: ["Content-Type": "application/json"], body: try body(["oidc_code": code]))
        #expect(session.status == 200, "\(session.body)")
        #expect(((session.json as? [String: Any])?["user"] as? [String: Any])?["username"] as? String == "ivy")
        let cookie = ["Cookie": "kinora_session=\(try SessionTests.cookie(session).value)"]
        #expect(try daemon.get("/settings", headers: cookie).status == 200)
        #expect(Self.items(try daemon.get("/api/v1/me/sessions", headers: cookie)).first?["current"] as? Bool == true)

        let again = try daemon.request(
            "POST", "/api/v1/auth/session", headers: ["Content-Type": "application/json"], body: try body(["oidc_code": code]))
        #expect(again.status == 400 && AuthTests.type(again) == "oidc-code-invalid", "single use: \(again.body)")
        let empty = try daemon.request(
            "POST", "/api/v1/auth/session", headers: ["Content-Type": "application/json"], body: try body(["oidc_code": 7]))
        #expect(empty.status == 400)
        #expect(try await daemon.stop() == 0)
    }
}
