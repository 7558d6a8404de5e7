import Foundation
import KinoraTestSupport
import Testing

/// What ends an account's credentials: a password reset (everything), a password change
/// (everything but the session that made it), and disabling or deleting the account (every
/// credential, access tokens included, within the account-state cache's two seconds).
@Suite struct CredentialLifecycleTests {
    typealias Auth = AuthTests
    typealias Browser = SessionTests

    /// A session cookie header and its CSRF token.
    static func browser(_ daemon: DaemonProcess, _ user: String, _ password: String) throws -> (headers: [String: String], csrf: String) {
        let login = try Browser.sessionLogin(daemon, user, password)
        let csrf = try #require((login.json as? [String: Any])?["csrf_token"] as? String, "\(login.body)")
        return (["Cookie": "kinora_session=\(try Browser.cookie(login).value)"], csrf)
    }

    static func json(
        _ daemon: DaemonProcess, _ method: String, _ path: String, _ headers: [String: String], _ object: [String: Any]
    ) throws -> HTTPResult {
        try daemon.request(
            method, path, headers: headers.merging(["Content-Type": "application/json"]) { $1 },
            body: Array(try JSONSerialization.data(withJSONObject: object)))
    }

    static func userID(_ daemon: DaemonProcess, _ access: String) throws -> String {
        try #require((try daemon.get("/api/v1/me", headers: Auth.bearer(access)).json as? [String: Any])?["id"] as? String)
    }

    @Test func aResetEndsSessionsRefreshTokensAndAPIKeys() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("credentials")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir)
        try await daemon.start()
        #expect(try Auth.addUser(daemon, "nora", role: "creator", password: "noras long password").status == 0)

        // What an attacker who had the old password kept: a cookie, a refresh token, an API key.
        let (cookie, csrf) = try Self.browser(daemon, "nora", "noras long password")
        let tokens = try Auth.tokens(try Auth.login(daemon, "nora", "noras long password"))
        let made = try Self.json(
            daemon, "POST", "/api/v1/me/api-keys", Auth.bearer(tokens.access), ["name": "backdoor", "scopes": ["read", "write"]])
        let key = try #require((made.json as? [String: Any])?["key"] as? String, "\(made.body)")
        #expect(try daemon.get("/api/v1/me", headers: ["X-API-Key": key]).status == 200)

        let issued = try Self.json(
            daemon, "POST", "/api/v1/users/\(try Self.userID(daemon, tokens.access))/password-reset", Auth.bearer(daemon.adminToken), [:])
        let token = try #require((issued.json as? [String: Any])?["token"] as? String, "\(issued.body)")
        let reset = try Auth.post(daemon, "/api/v1/auth/password-reset", ["token": token, "new_password": "noras new password"])
        #expect(reset.status == 204, "\(reset.body)")

        #expect(try daemon.get("/api/v1/me", headers: cookie).status == 401)
        let playlist = try Self.json(daemon, "POST", "/api/v1/playlists", cookie.merging(["X-CSRF-Token": csrf]) { $1 }, ["title": "mine now"])
        #expect(playlist.status == 401, "\(playlist.body)")
        #expect(try Auth.post(daemon, "/api/v1/auth/refresh", ["refresh_token": tokens.refresh]).status == 401)
        let byKey = try daemon.get("/api/v1/me", headers: ["X-API-Key": key])
        #expect(byKey.status == 401 && Auth.type(byKey) == "invalid-api-key", "\(byKey.body)")
        #expect(try Auth.login(daemon, "nora", "noras new password").status == 200)
        #expect(try await daemon.stop() == 0)
    }

    @Test func aPasswordChangeEndsEveryOtherSession() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("credentials")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir)
        try await daemon.start()
        #expect(try Auth.addUser(daemon, "otto", role: "viewer", password: "ottos long password").status == 0)

        let (here, csrf) = try Self.browser(daemon, "otto", "ottos long password")
        let (elsewhere, _) = try Self.browser(daemon, "otto", "ottos long password")
        let refresh = try Auth.tokens(try Auth.login(daemon, "otto", "ottos long password")).refresh
        let changed = try Self.json(
            daemon, "POST", "/api/v1/me/password", here.merging(["X-CSRF-Token": csrf]) { $1 },
            ["current_password": "ottos long password", "new_password": "ottos second password"])
        #expect(changed.status == 200, "\(changed.body)")
        #expect(try daemon.get("/api/v1/me", headers: here).status == 200, "the session that changed the password stays")
        #expect(try daemon.get("/api/v1/me", headers: elsewhere).status == 401)
        #expect(try Auth.post(daemon, "/api/v1/auth/refresh", ["refresh_token": refresh]).status == 401)

        // Changed with a bearer token: every session ends, and the answer is a fresh pair.
        let access = try Auth.tokens(try Auth.login(daemon, "otto", "ottos second password")).access
        let again = try Self.json(
            daemon, "POST", "/api/v1/me/password", Auth.bearer(access),
            ["current_password": "ottos second password", "new_password": "ottos third password"])
        #expect(again.status == 200 && (again.json as? [String: Any])?["refresh_token"] is String, "\(again.body)")
        #expect(try daemon.get("/api/v1/me", headers: here).status == 401)
        #expect(try await daemon.stop() == 0)
    }

    @Test func disabledAndDeletedAccountsLoseEveryCredential() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("credentials")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir)
        try await daemon.start()
        #expect(try Auth.addUser(daemon, "pia", role: "creator", password: "pias long password").status == 0)
        #expect(try Auth.addUser(daemon, "quinn", role: "creator", password: "quinns long password").status == 0)
        let admin = Auth.bearer(daemon.adminToken)

        let pia = try Auth.tokens(try Auth.login(daemon, "pia", "pias long password")).access
        let piaKey = try #require(
            (try Self.json(daemon, "POST", "/api/v1/me/api-keys", Auth.bearer(pia), ["name": "k", "scopes": ["write"]])
                .json as? [String: Any])?["key"] as? String)
        let channel = try Self.json(daemon, "POST", "/api/v1/channels", Auth.bearer(pia), ["handle": "pia-one", "name": "Pia"])
        #expect(channel.status == 201, "\(channel.body)")
        let disabled = try Self.json(daemon, "PATCH", "/api/v1/users/\(try Self.userID(daemon, pia))", admin, ["disabled": true])
        #expect(disabled.status == 200, "\(disabled.body)")
        // The access token is refused once the account-state cache (2 s) has seen the change.
        let refused = try await TestEnvironment.pollOffPool(timeout: .seconds(5), interval: .milliseconds(200)) { () -> HTTPResult? in
            let result = try Self.json(
                daemon, "POST", "/api/v1/channels", Auth.bearer(pia), ["handle": "pia-\(UUID().uuidString.prefix(8).lowercased())", "name": "Pia"])
            return result.status == 201 ? nil : result
        }
        let answer = try #require(refused, "a disabled account's access token kept creating channels")
        #expect(answer.status == 401 && Auth.type(answer) == "account-disabled", "\(answer.body)")
        #expect(try daemon.get("/api/v1/me", headers: ["X-API-Key": piaKey]).status == 401)

        let quinn = try Auth.tokens(try Auth.login(daemon, "quinn", "quinns long password")).access
        let quinnID = try Self.userID(daemon, quinn)
        #expect(try daemon.request("DELETE", "/api/v1/users/\(quinnID)", headers: admin).status == 204)
        let gone = try await TestEnvironment.pollOffPool(timeout: .seconds(5), interval: .milliseconds(200)) { () -> HTTPResult? in
            let result = try Self.json(
                daemon, "POST", "/api/v1/channels", Auth.bearer(quinn), ["handle": "quinn-\(UUID().uuidString.prefix(8).lowercased())", "name": "Q"])
            return result.status == 401 ? result : nil
        }
        #expect(gone.map { Auth.type($0) == "account-gone" || Auth.type($0) == "account-disabled" } == true, "\(String(describing: gone?.body))")
        #expect(try await daemon.stop() == 0)
    }
}
