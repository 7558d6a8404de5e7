import Foundation
import KinoraHost
import KinoraTestSupport
import Testing

/// Password change and reset, account administration, and the bootstrap token's retirement.
@Suite struct AccountAdminTests {
    static func json(_ headers: [String: String]) -> [String: String] { headers.merging(["Content-Type": "application/json"]) { $1 } }

    static func send(_ daemon: DaemonProcess, _ method: String, _ path: String, _ token: String, _ object: [String: Any]) throws -> HTTPResult {
        try daemon.request(method, path, headers: json(AuthTests.bearer(token)), body: Array(try JSONSerialization.data(withJSONObject: object)))
    }

    /// A `kinora user` subcommand; its output.
    static func kinora(_ arguments: [String], stdin: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.kinoraExecutable)
        process.arguments = arguments
        let input = try PrivatePipe()
        let output = try PrivatePipe()
        process.standardInput = input.fileHandleForReading
        process.standardOutput = output.fileHandleForWriting
        process.standardError = output.fileHandleForWriting
        try process.run(closingChildEndsOf: input, output)
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        return (process.waitForExit(), String(decoding: data, as: UTF8.self))
    }

    @Test func passwordChangeAndResetRevokeRefreshTokens() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("accounts")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir)
        try await daemon.start()
        #expect(try AuthTests.addUser(daemon, "dana", role: "creator", password: "dana's first password").status == 0)
        #expect(try AuthTests.addUser(daemon, "eve", role: "viewer", password: "short pw").status != 0, "the CLI keeps the policy too")
        let one = try AuthTests.tokens(try AuthTests.login(daemon, "dana", "dana's first password"))
        let two = try AuthTests.tokens(try AuthTests.login(daemon, "dana", "dana's first password"))

        let wrong = try Self.send(
            daemon, "POST", "/api/v1/me/password", one.access,
            ["current_password": "not it at all", "new_password": "dana's second password"])
        #expect(wrong.status == 403 && AuthTests.type(wrong) == "wrong-password", "\(wrong.body)")
        let weak = try Self.send(
            daemon, "POST", "/api/v1/me/password", one.access, ["current_password": "dana's first password", "new_password": "dana"])
        #expect(weak.status == 422 && (weak.json as? [String: Any])?["field"] as? String == "new_password", "\(weak.body)")
        let changed = try Self.send(
            daemon, "POST", "/api/v1/me/password", one.access,
            ["current_password": "dana's first password", "new_password": "dana's second password"])
        #expect(changed.status == 200, "\(changed.body)")
        let fresh = try AuthTests.tokens(changed)
        for old in [one.refresh, two.refresh] {
            #expect(try AuthTests.post(daemon, "/api/v1/auth/refresh", ["refresh_token": old]).status == 401, "other sessions end")
        }
        #expect(try AuthTests.post(daemon, "/api/v1/auth/refresh", ["refresh_token": fresh.refresh]).status == 200, "the caller's goes on")
        #expect(try AuthTests.login(daemon, "dana", "dana's first password").status == 401)
        let beforeReset = try AuthTests.tokens(try AuthTests.login(daemon, "dana", "dana's second password"))

        // An admin hands out a reset token; it works once.
        let me = try #require(try daemon.get("/api/v1/me", headers: AuthTests.bearer(fresh.access)).json as? [String: Any])
        let id = try #require(me["id"] as? String)
        let issued = try daemon.request("POST", "/api/v1/users/\(id)/password-reset", headers: AuthTests.bearer(daemon.adminToken))
        #expect(issued.status == 201 && issued.headers["cache-control"] == "no-store", "\(issued.body)")
        let token = try #require((issued.json as? [String: Any])?["token"] as? String)
        #expect(try daemon.request("POST", "/api/v1/users/nobody/password-reset", headers: AuthTests.bearer(daemon.adminToken)).status == 404)
        #expect(try daemon.request("POST", "/api/v1/users/\(id)/password-reset", headers: AuthTests.bearer(fresh.access)).status == 403)

        let tooShort = try AuthTests.post(daemon, "/api/v1/auth/password-reset", ["token": token, "new_password": "tiny"])
        #expect(tooShort.status == 422, "a refused password leaves the token usable")
        let reset = try AuthTests.post(daemon, "/api/v1/auth/password-reset", ["token": token, "new_password": "dana's third password"])
        #expect(reset.status == 204, "\(reset.body)")
        let again = try AuthTests.post(daemon, "/api/v1/auth/password-reset", ["token": token, "new_password": "dana's fourth password"])
        #expect(again.status == 401 && AuthTests.type(again) == "invalid-reset-token", "single use")
        #expect(try AuthTests.post(daemon, "/api/v1/auth/refresh", ["refresh_token": beforeReset.refresh]).status == 401)
        #expect(try AuthTests.login(daemon, "dana", "dana's third password").status == 200)

        // The shell: a reset token while the daemon runs, and a password set directly.
        let printed = try Self.kinora(["user", "reset-password", "DANA", "--data-dir", daemon.dataDir])
        #expect(printed.status == 0, "\(printed.output)")
        let cliToken = try #require(printed.output.split(separator: "\n").last.map(String.init))
        #expect(
            try AuthTests.post(daemon, "/api/v1/auth/password-reset", ["token": cliToken, "new_password": "dana's fifth password"]).status == 204)
        let set = try Self.kinora(["user", "passwd", "dana", "--password-stdin", "--data-dir", daemon.dataDir], stdin: "dana's sixth password\n")
        #expect(set.status == 0, "\(set.output)")
        #expect(try AuthTests.login(daemon, "dana", "dana's sixth password").status == 200)
        #expect(
            try Self.kinora(["user", "passwd", "nobody", "--password-stdin", "--data-dir", daemon.dataDir], stdin: "whatever long one").status != 0)
        #expect(try await daemon.stop() == 0)
        #expect(!daemon.log.contains(token) && !daemon.log.contains("dana's third password"))
    }

    @Test func adminsManageAccountsAndTheLastAdminStays() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("accounts")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var daemon = try DaemonProcess(dataDir: dir)
        try await daemon.start()
        let bootstrap = daemon.adminToken
        #expect(try daemon.get("/api/v1/users", headers: AuthTests.bearer(bootstrap)).status == 200)
        for (name, role) in [("boss", "admin"), ("vic", "viewer"), ("walt", "viewer"), ("cora", "creator")] {
            #expect(try AuthTests.addUser(daemon, name, role: role, password: "\(name)'s long password").status == 0)
        }

        // An admin exists (made from the shell): the bootstrap token is retired within a second.
        try await Task.sleep(for: .milliseconds(1100))
        let retired = try daemon.get("/api/v1/users", headers: AuthTests.bearer(bootstrap))
        #expect(retired.status == 401 && AuthTests.type(retired) == "bootstrap-retired", "\(retired.body)")
        #expect((retired.json as? [String: Any])?["detail"] as? String ?? "" != "")

        let boss = try AuthTests.tokens(try AuthTests.login(daemon, "boss", "boss's long password")).access
        // Two pages cover every account once (accounts made in the same second come in id order).
        let first = try daemon.get("/api/v1/users?limit=3", headers: AuthTests.bearer(boss))
        let page = try #require(first.json as? [String: Any])
        let firstItems = try #require(page["items"] as? [[String: Any]])
        let cursor = try #require(page["next_cursor"] as? String)
        let rest = try #require(try daemon.get("/api/v1/users?limit=3&cursor=\(cursor)", headers: AuthTests.bearer(boss)).json as? [String: Any])
        let restItems = try #require(rest["items"] as? [[String: Any]])
        #expect(firstItems.count == 3 && restItems.count == 1 && rest["next_cursor"] is NSNull, "\(first.body)")
        let all = firstItems + restItems
        #expect(Set(all.compactMap { $0["username"] as? String }) == ["boss", "vic", "walt", "cora"])
        let viewers = try #require(try daemon.get("/api/v1/users?role=viewer", headers: AuthTests.bearer(boss)).json as? [String: Any])
        let viewerItems = try #require(viewers["items"] as? [[String: Any]])
        #expect(Set(viewerItems.compactMap { $0["username"] as? String }) == ["vic", "walt"])
        func id(_ name: String) throws -> String { try #require(all.first { $0["username"] as? String == name }?["id"] as? String) }
        #expect(try daemon.get("/api/v1/users?role=emperor", headers: AuthTests.bearer(boss)).status == 400)
        #expect(try daemon.get("/api/v1/users?cursor=nonsense", headers: AuthTests.bearer(boss)).status == 400)

        let (bossID, vicID, waltID) = (try id("boss"), try id("vic"), try id("walt"))
        let shown = try #require(try daemon.get("/api/v1/users/\(vicID)", headers: AuthTests.bearer(boss)).json as? [String: Any])
        #expect(shown["username"] as? String == "vic" && shown["disabled"] as? Bool == false)
        #expect(try daemon.get("/api/v1/users/nobody", headers: AuthTests.bearer(boss)).status == 404)

        let demote = try Self.send(daemon, "PATCH", "/api/v1/users/\(bossID)", boss, ["role": "viewer"])
        #expect(demote.status == 409 && AuthTests.type(demote) == "last-admin", "\(demote.body)")
        #expect(try Self.send(daemon, "PATCH", "/api/v1/users/\(bossID)", boss, ["disabled": true]).status == 409)
        let badRole = try Self.send(daemon, "PATCH", "/api/v1/users/\(vicID)", boss, ["role": "emperor"])
        #expect(badRole.status == 422 && (badRole.json as? [String: Any])?["field"] as? String == "role")
        #expect(try Self.send(daemon, "PATCH", "/api/v1/users/\(vicID)", boss, ["disabled": "yes"]).status == 400)

        // Disabling ends the account's sessions and logins.
        let vic = try AuthTests.tokens(try AuthTests.login(daemon, "vic", "vic's long password"))
        let disabled = try Self.send(daemon, "PATCH", "/api/v1/users/\(vicID)", boss, ["disabled": true, "display_name": "Vic (gone)"])
        #expect(disabled.status == 200 && (disabled.json as? [String: Any])?["display_name"] as? String == "Vic (gone)", "\(disabled.body)")
        #expect(try AuthTests.post(daemon, "/api/v1/auth/refresh", ["refresh_token": vic.refresh]).status == 401)
        #expect(try AuthTests.login(daemon, "vic", "vic's long password").status == 401)

        // With a second admin the first may step down.
        #expect(try Self.send(daemon, "PATCH", "/api/v1/users/\(waltID)", boss, ["role": "admin"]).status == 200)
        #expect(try Self.send(daemon, "PATCH", "/api/v1/users/\(bossID)", boss, ["role": "creator"]).status == 200)
        let walt = try AuthTests.tokens(try AuthTests.login(daemon, "walt", "walt's long password")).access
        #expect(try Self.send(daemon, "PATCH", "/api/v1/users/\(waltID)", walt, ["disabled": true]).status == 409)
        let cora = try AuthTests.tokens(try AuthTests.login(daemon, "cora", "cora's long password")).access
        #expect(try daemon.get("/api/v1/users", headers: AuthTests.bearer(cora)).status == 403)
        #expect(try daemon.get("/api/v1/users").status == 401)

        // At the next start the token file goes; the old token is still answered as retired.
        #expect(try await daemon.stop() == 0)
        daemon = try DaemonProcess(dataDir: dir)
        try await daemon.start()
        #expect(daemon.log.contains("bootstrap admin token is retired"), "\(daemon.log)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/admin-token"))
        #expect(AuthTests.type(try daemon.get("/api/v1/plugins", headers: AuthTests.bearer(bootstrap))) == "bootstrap-retired")
        #expect(try await daemon.stop() == 0)
    }

    @Test func withoutAnEnabledAdminANewBootstrapTokenIsMade() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("accounts")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var daemon = try DaemonProcess(dataDir: dir)
        try await daemon.start()
        let first = daemon.adminToken
        // Made through the API by the bootstrap token itself: retired at once, no wait.
        #expect(try AuthTests.addUser(daemon, "ann", role: "viewer", password: "ann's long password").status == 0)
        let users = try #require(try daemon.get("/api/v1/users", headers: AuthTests.bearer(first)).json as? [String: Any])
        let annID = try #require(((users["items"] as? [[String: Any]])?.first)?["id"] as? String)
        #expect(try Self.send(daemon, "PATCH", "/api/v1/users/\(annID)", first, ["role": "admin"]).status == 200)
        #expect(AuthTests.type(try daemon.get("/api/v1/plugins", headers: AuthTests.bearer(first))) == "bootstrap-retired")
        #expect(try await daemon.stop() == 0)
        daemon = try DaemonProcess(dataDir: dir)
        try await daemon.start()
        #expect(!FileManager.default.fileExists(atPath: dir + "/admin-token"))
        #expect(try await daemon.stop() == 0)

        // The admin is gone (a restored database, say): the next start makes a new token.
        try FileManager.default.removeItem(atPath: dir + "/kinora.sqlite")
        try? FileManager.default.removeItem(atPath: dir + "/kinora.sqlite-wal")
        try? FileManager.default.removeItem(atPath: dir + "/kinora.sqlite-shm")
        daemon = try DaemonProcess(dataDir: dir)
        try await daemon.start()
        let second = daemon.adminToken
        #expect(second.count == 64 && second != first)
        #expect(try daemon.get("/api/v1/plugins", headers: AuthTests.bearer(second)).status == 200)
        #expect(try await daemon.stop() == 0)
    }
}
