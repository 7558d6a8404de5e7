import Foundation
import KinoraTestSupport
import Testing

/// TOTP two-factor through the real daemon, with codes computed by ``TestTOTP``.
@Suite struct TOTPTests {
    typealias Auth = AuthTests

    @Test func theTestGeneratorMatchesRFC6238() {
        // RFC 6238 appendix B, SHA-1, 8 digits, seed "12345678901234567890".
        let totp = TestTOTP(key: Array("12345678901234567890".utf8))
        let vectors: [(Int64, String)] = [
            (59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"), (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
        ]
        for (time, code) in vectors { #expect(totp.code(step: time / 30, digits: 8) == code, "T = \(time)") }
        #expect(TestTOTP(base32: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?.key == Array("12345678901234567890".utf8))
    }

    static func me(_ daemon: DaemonProcess, _ access: String) throws -> [String: Any] {
        try #require(try daemon.get("/api/v1/me", headers: Auth.bearer(access)).json as? [String: Any])
    }

    static func login(
        _ daemon: DaemonProcess, _ user: String, _ password: String, totp: String? = nil, route: String = "/api/v1/auth/login"
    ) throws -> HTTPResult {
        var body = ["username": user, "password": password]
        body["totp"] = totp
        return try Auth.post(daemon, route, body)
    }

    static func send(_ daemon: DaemonProcess, _ method: String, _ path: String, _ access: String, _ object: [String: Any] = [:]) throws -> HTTPResult
    {
        try daemon.request(
            method, path, headers: Auth.bearer(access).merging(["Content-Type": "application/json"]) { $1 },
            body: Array(try JSONSerialization.data(withJSONObject: object)))
    }

    /// Enrols and confirms; returns the generator, the confirming step and the recovery codes.
    static func enable(_ daemon: DaemonProcess, _ access: String, username: String) throws -> (TestTOTP, Int64, [String]) {
        let enrolled = try send(daemon, "POST", "/api/v1/me/totp", access)
        #expect(enrolled.status == 200, "\(enrolled.body)")
        let body = try #require(enrolled.json as? [String: Any])
        let secret = try #require(body["secret"] as? String)
        let uri = try #require(body["otpauth_uri"] as? String)
        #expect(uri.hasPrefix("otpauth://totp/Kinora:\(username)?secret=\(secret)") && uri.hasSuffix("&issuer=Kinora"), "\(uri)")
        let totp = try #require(TestTOTP(base32: secret))
        #expect(totp.key.count >= 20, "at least 160 bits, as RFC 4226 recommends")

        let step = TestTOTP.step()
        let wrong = String((Int(totp.code(step: step))! + 500_000) % 1_000_000).leftPadded(6)
        let refused = try send(daemon, "POST", "/api/v1/me/totp/confirm", access, ["code": wrong])
        #expect(refused.status == 422 && Auth.type(refused) == "invalid-totp", "\(refused.body)")
        let confirmed = try send(daemon, "POST", "/api/v1/me/totp/confirm", access, ["code": totp.code(step: step)])
        #expect(confirmed.status == 200, "\(confirmed.body)")
        let codes = try #require((confirmed.json as? [String: Any])?["recovery_codes"] as? [String])
        return (totp, step, codes)
    }

    @Test func enrolConfirmLoginReplayRecoveryCodesAndDisable() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("totp")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir)
        try await daemon.start()
        let password = "erins long password"
        #expect(try Auth.addUser(daemon, "erin", role: "creator", password: password).status == 0)
        let access = try Auth.tokens(try Self.login(daemon, "erin", password)).access
        #expect(try Self.me(daemon, access)["totp_enabled"] as? Bool == false)

        // A pending enrolment changes nothing at login.
        #expect(try Self.send(daemon, "POST", "/api/v1/me/totp", access).status == 200)
        #expect(try Self.login(daemon, "erin", password).status == 200)

        let (totp, step, codes) = try Self.enable(daemon, access, username: "erin")
        #expect(codes.count == 10 && Set(codes).count == 10)
        #expect(codes.allSatisfy { $0.count == 19 && $0.split(separator: "-").count == 4 }, "\(codes)")
        #expect(try Self.me(daemon, access)["totp_enabled"] as? Bool == true)
        let again = try Self.send(daemon, "POST", "/api/v1/me/totp", access)
        #expect(again.status == 409 && Auth.type(again) == "totp-enabled")

        // The password alone is no longer enough. (Failed attempts below stay under the
        // throttle's 5 for this address: replay, spent recovery code, wrong password, old code.)
        let required = try Self.login(daemon, "erin", password)
        #expect(required.status == 401 && Auth.type(required) == "totp-required", "\(required.body)")

        // The confirming code's step is spent; the next step's code works (±1 step), once.
        let next = totp.code(step: step + 1)
        #expect(try Self.login(daemon, "erin", password, totp: next).status == 200)
        let replay = try Self.login(daemon, "erin", password, totp: next)
        #expect(replay.status == 401 && Auth.type(replay) == "invalid-totp", "\(replay.body)")

        // Recovery codes: each works once, on either login route, typed with or without dashes.
        let session = try Self.login(daemon, "erin", password, totp: codes[0], route: "/api/v1/auth/session")
        #expect(session.status == 200 && session.headers["set-cookie"]?.hasPrefix("kinora_session=") == true, "\(session.body)")
        #expect(Auth.type(try Self.login(daemon, "erin", password, totp: codes[0])) == "invalid-totp")
        #expect(try Self.login(daemon, "erin", password, totp: codes[1].uppercased().replacingOccurrences(of: "-", with: "")).status == 200)
        let noTOTP = try Self.login(daemon, "erin", password, route: "/api/v1/auth/session")
        #expect(noTOTP.status == 401 && Auth.type(noTOTP) == "totp-required" && noTOTP.headers["set-cookie"] == nil)

        // New recovery codes take the password and replace the old ones.
        let wrongPassword = try Self.send(daemon, "POST", "/api/v1/me/totp/recovery-codes", access, ["password": "nope nope nope"])
        #expect(wrongPassword.status == 403 && Auth.type(wrongPassword) == "invalid-password")
        let regenerated = try Self.send(daemon, "POST", "/api/v1/me/totp/recovery-codes", access, ["password": password])
        let fresh = try #require((regenerated.json as? [String: Any])?["recovery_codes"] as? [String], "\(regenerated.body)")
        #expect(fresh.count == 10 && Set(fresh).isDisjoint(with: codes))
        #expect(Auth.type(try Self.login(daemon, "erin", password, totp: codes[2])) == "invalid-totp")
        #expect(try Self.login(daemon, "erin", password, totp: fresh[0]).status == 200)

        // Disabling takes the password; afterwards the password alone logs in again.
        #expect(try Self.send(daemon, "DELETE", "/api/v1/me/totp", access, [:]).status == 400)
        #expect(try Self.send(daemon, "DELETE", "/api/v1/me/totp", access, ["password": password]).status == 204)
        #expect(try Self.me(daemon, access)["totp_enabled"] as? Bool == false)
        #expect(try Self.login(daemon, "erin", password).status == 200)
        let gone = try Self.send(daemon, "POST", "/api/v1/me/totp/recovery-codes", access, ["password": password])
        #expect(gone.status == 409 && Auth.type(gone) == "totp-not-enabled")
        // The bootstrap token has no account to enrol.
        #expect(try Self.send(daemon, "POST", "/api/v1/me/totp", daemon.adminToken).status == 404)
        #expect(try daemon.request("POST", "/api/v1/me/totp").status == 401)

        #expect(try await daemon.stop() == 0)
        for secret in [password, next, codes[0], fresh[0]] { #expect(!daemon.log.contains(secret)) }
    }

    @Test func wrongCodesCountInTheThrottleAndTheSecretIsSealedInTheDatabase() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("totp")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir)
        try await daemon.start()
        let password = "franks long password"
        #expect(try Auth.addUser(daemon, "frank", role: "viewer", password: password).status == 0)
        let access = try Auth.tokens(try Self.login(daemon, "frank", password)).access
        let (totp, step, codes) = try Self.enable(daemon, access, username: "frank")

        // A missing code is not a failed guess; wrong ones are, as wrong passwords, which are
        // told apart before the second factor is asked for.
        for _ in 0..<6 { #expect(Auth.type(try Self.login(daemon, "frank", password)) == "totp-required") }
        #expect(Auth.type(try Self.login(daemon, "frank", "wrong password")) == "invalid-credentials")
        let wrong = String((Int(totp.code(step: step + 1))! + 1) % 1_000_000).leftPadded(6)
        for _ in 0..<4 { #expect(Auth.type(try Self.login(daemon, "frank", password, totp: wrong)) == "invalid-totp") }
        let throttled = try Self.login(daemon, "frank", password, totp: codes[0])
        #expect(throttled.status == 429 && Auth.type(throttled) == "too-many-attempts", "\(throttled.body)")
        #expect(try await daemon.stop() == 0)

        // Neither the raw key nor its base32 form is in the database file; the key file is 0600.
        var database = try Data(contentsOf: URL(fileURLWithPath: dir + "/kinora.sqlite"))
        if let wal = try? Data(contentsOf: URL(fileURLWithPath: dir + "/kinora.sqlite-wal")) { database += wal }
        #expect(database.range(of: Data(totp.key)) == nil)
        let key = try FileManager.default.attributesOfItem(atPath: dir + "/totp-key")
        #expect((key[.posixPermissions] as? Int) == 0o600)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
