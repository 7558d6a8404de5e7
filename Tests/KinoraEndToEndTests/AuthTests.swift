import Foundation
import KinoraHost
import KinoraTestSupport
import Testing

/// Accounts and tokens through the real daemon, with accounts made by `kinora user add`
/// while it runs.
@Suite struct AuthTests {
    static let problems = "https://kinora.invalid/problems/"

    /// `kinora user add`, the password on stdin when given.
    static func addUser(
        _ daemon: DaemonProcess, _ name: String, role: String, password: String?, extra: [String] = []
    ) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.kinoraExecutable)
        process.arguments =
            ["user", "add", name, "--role", role, "--data-dir", daemon.dataDir] + (password == nil ? [] : ["--password-stdin"]) + extra
        let input = try PrivatePipe()
        let output = try PrivatePipe()
        process.standardInput = input.fileHandleForReading
        process.standardOutput = output.fileHandleForWriting
        process.standardError = output.fileHandleForWriting
        try process.run(closingChildEndsOf: input, output)
        if let password { input.fileHandleForWriting.write(Data((password + "\n").utf8)) }
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        return (process.waitForExit(), String(decoding: data, as: UTF8.self))
    }

    static func post(_ daemon: DaemonProcess, _ path: String, _ object: [String: Any]) throws -> HTTPResult {
        try daemon.request(
            "POST", path, headers: ["Content-Type": "application/json"],
            body: Array(try JSONSerialization.data(withJSONObject: object)))
    }

    static func login(_ daemon: DaemonProcess, _ username: String, _ password: String) throws -> HTTPResult {
        try post(daemon, "/api/v1/auth/login", ["username": username, "password": password])
    }

    static func tokens(_ result: HTTPResult) throws -> (access: String, refresh: String) {
        let object = try #require(result.json as? [String: Any], "\(result.status) \(result.body)")
        return (try #require(object["access_token"] as? String), try #require(object["refresh_token"] as? String))
    }

    static func type(_ result: HTTPResult) -> String? {
        ((result.json as? [String: Any])?["type"] as? String).map { $0.replacingOccurrences(of: problems, with: "") }
    }

    static func bearer(_ token: String) -> [String: String] { ["Authorization": "Bearer \(token)"] }

    @Test func loginMeRefreshRotationReuseAndLogout() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("auth")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir)
        try await daemon.start()

        let added = try Self.addUser(daemon, "Alice", role: "creator", password: "correct horse battery")
        #expect(added.status == 0, "\(added.output)")
        #expect(
            try Self.addUser(daemon, "alice", role: "viewer", password: "another password").status != 0, "usernames are unique whatever their case")

        let ok = try Self.login(daemon, "alice", "correct horse battery")
        #expect(ok.status == 200, "\(ok.body)")
        let body = try #require(ok.json as? [String: Any])
        #expect(body["token_type"] as? String == "Bearer" && body["expires_in"] as? Int == 900)
        let first = try Self.tokens(ok)
        #expect(first.access.split(separator: ".").count == 3)

        let me = try daemon.get("/api/v1/me", headers: Self.bearer(first.access))
        #expect(me.status == 200, "\(me.body)")
        let profile = try #require(me.json as? [String: Any])
        #expect(profile["username"] as? String == "Alice" && profile["display_name"] as? String == "Alice")
        #expect(profile["role"] as? String == "creator" && (profile["id"] as? String)?.count == 16 && profile["created_at"] is String)
        #expect(try daemon.get("/api/v1/me").status == 401)

        // Wrong password and unknown user: the same answer.
        let wrong = try Self.login(daemon, "alice", "wrong password!")
        let unknown = try Self.login(daemon, "nobody", "wrong password!")
        #expect(wrong.status == 401 && unknown.status == 401)
        #expect(Self.type(wrong) == "invalid-credentials")
        #expect(wrong.body == unknown.body)

        // A tampered token (role changed, signature kept) is refused.
        var parts = first.access.split(separator: ".").map(String.init)
        var claims = try #require(try JSONSerialization.jsonObject(with: Data(base64URL: parts[1])) as? [String: Any])
        claims["role"] = "admin"
        parts[1] = try JSONSerialization.data(withJSONObject: claims).base64URL
        let tampered = try daemon.get("/api/v1/me", headers: Self.bearer(parts.joined(separator: ".")))
        #expect(tampered.status == 401 && Self.type(tampered) == "unauthorized")
        #expect(try daemon.get("/api/v1/plugins", headers: Self.bearer(parts.joined(separator: "."))).status == 401)

        // Rotation: the old refresh token becomes used; showing it again revokes the family.
        let rotated = try Self.post(daemon, "/api/v1/auth/refresh", ["refresh_token": first.refresh])
        #expect(rotated.status == 200, "\(rotated.body)")
        let second = try Self.tokens(rotated)
        #expect(second.refresh != first.refresh)
        #expect(try daemon.get("/api/v1/me", headers: Self.bearer(second.access)).status == 200)
        let replay = try Self.post(daemon, "/api/v1/auth/refresh", ["refresh_token": first.refresh])
        #expect(replay.status == 401 && Self.type(replay) == "invalid-refresh-token")
        #expect(
            try Self.post(daemon, "/api/v1/auth/refresh", ["refresh_token": second.refresh]).status == 401,
            "reuse revoked the whole family, the newest token too")

        // Logout revokes the presented token's family only; everywhere revokes every family.
        let a = try Self.tokens(try Self.login(daemon, "alice", "correct horse battery"))
        let b = try Self.tokens(try Self.login(daemon, "alice", "correct horse battery"))
        #expect(try Self.post(daemon, "/api/v1/auth/logout", ["refresh_token": a.refresh]).status == 204)
        #expect(try Self.post(daemon, "/api/v1/auth/refresh", ["refresh_token": a.refresh]).status == 401)
        let bNext = try Self.post(daemon, "/api/v1/auth/refresh", ["refresh_token": b.refresh])
        #expect(bNext.status == 200, "another family survives a plain logout")
        let c = try Self.tokens(try Self.login(daemon, "alice", "correct horse battery"))
        #expect(try Self.post(daemon, "/api/v1/auth/logout?everywhere=true", ["refresh_token": c.refresh]).status == 204)
        #expect(try Self.post(daemon, "/api/v1/auth/refresh", ["refresh_token": try Self.tokens(bNext).refresh]).status == 401)
        #expect(try Self.post(daemon, "/api/v1/auth/refresh", ["refresh_token": c.refresh]).status == 401)

        #expect(try Self.post(daemon, "/api/v1/auth/login", ["username": "alice"]).status == 400)
        #expect(try await daemon.stop() == 0)
        #expect(!daemon.log.contains("correct horse battery"))
    }

    @Test func failedLoginsAreThrottledWithRetryAfter() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("auth")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir)
        try await daemon.start()
        #expect(try Self.addUser(daemon, "bob", role: "viewer", password: "bobs password").status == 0)
        for _ in 0..<5 { #expect(try Self.login(daemon, "bob", "not his password").status == 401) }
        let refused = try Self.login(daemon, "bob", "bobs password")
        #expect(refused.status == 429, "\(refused.body)")
        #expect(Self.type(refused) == "too-many-attempts")
        let retry = try #require(refused.headers["retry-after"].flatMap { Int($0) })
        #expect(retry > 0 && retry <= 900)
        // The lock is this account's from this address: other accounts from here still get
        // checked (LoginThrottleTests covers the owner elsewhere and the per-address limit).
        #expect(try Self.login(daemon, "someone", "whatever pass").status == 401)
        #expect(try await daemon.stop() == 0)
    }

    @Test func rolesGateAdminRoutesAndAccessTokensExpire() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("auth")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = dir + "/kinora.toml"
        try "[auth]\naccess_token_seconds = 3\n".write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", config])
        try await daemon.start()

        // Without --password-stdin the password is generated and printed once.
        let admin = try Self.addUser(daemon, "root", role: "admin", password: nil, extra: ["--config", config])
        #expect(admin.status == 0, "\(admin.output)")
        let password = try #require(admin.output.components(separatedBy: "password: ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(password.count >= 16)
        #expect(try Self.addUser(daemon, "viewer1", role: "viewer", password: "viewer password", extra: ["--config", config]).status == 0)
        #expect(try Self.addUser(daemon, "x", role: "emperor", password: "whatever pass").status != 0)

        let adminTokens = try Self.tokens(try Self.login(daemon, "root", password))
        let plugins = try daemon.get("/api/v1/plugins", headers: Self.bearer(adminTokens.access))
        #expect(plugins.status == 200, "\(plugins.body)")
        let viewerTokens = try Self.tokens(try Self.login(daemon, "viewer1", "viewer password"))
        let forbidden = try daemon.get("/api/v1/plugins", headers: Self.bearer(viewerTokens.access))
        #expect(forbidden.status == 403 && Self.type(forbidden) == "forbidden")
        // An admin account exists now: the bootstrap token is retired.
        let retired = try daemon.get("/api/v1/plugins", headers: Self.bearer(daemon.adminToken))
        #expect(retired.status == 401 && Self.type(retired) == "bootstrap-retired", "\(retired.body)")

        try await Task.sleep(for: .seconds(4))
        let expired = try daemon.get("/api/v1/me", headers: Self.bearer(viewerTokens.access))
        #expect(expired.status == 401 && Self.type(expired) == "token-expired", "\(expired.body)")
        #expect(try daemon.get("/api/v1/plugins", headers: Self.bearer(adminTokens.access)).status == 401)
        let renewed = try Self.post(daemon, "/api/v1/auth/refresh", ["refresh_token": viewerTokens.refresh])
        #expect(try daemon.get("/api/v1/me", headers: Self.bearer(try Self.tokens(renewed).access)).status == 200)

        let secret = try FileManager.default.attributesOfItem(atPath: dir + "/data/jwt-secret")
        #expect((secret[.posixPermissions] as? Int) == 0o600)
        #expect(try await daemon.stop() == 0)
    }
}

extension Data {
    init(base64URL text: String) {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        self = Data(base64Encoded: standard) ?? Data()
    }

    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
