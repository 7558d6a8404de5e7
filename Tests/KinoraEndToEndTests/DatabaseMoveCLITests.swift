import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

/// `kinora db migrate-to-postgres` as an operator runs it: the built binary, an install made
/// with `kinora migrate` and `kinora user add` on SQLite, a real PostgreSQL; the `[database]`
/// lines it prints make the next command run on the copy.
@Suite struct DatabaseMoveCLITests {
    let dir: String

    init() throws {
        dir = try TestEnvironment.makeTemporaryDirectory("db-move")
        try FileManager.default.createDirectory(atPath: dir + "/etc", withIntermediateDirectories: true)
        try "[data]\ndir = \"\(dir)/data\"\n".write(toFile: dir + "/etc/kinora.toml", atomically: true, encoding: .utf8)
    }

    func kinora(_ arguments: [String], config: String? = nil, environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        try await TestEnvironment.runOffPool(
            TestEnvironment.kinoraExecutable, arguments + ["--config", config ?? dir + "/etc/kinora.toml"],
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
    }

    @Test func anInstallMovesToPostgreSQLAndRunsThere() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let url = try PostgresServer.shared().makeDatabase("cli")
        let nothing = try await kinora(["db", "migrate-to-postgres", "--url", url])
        #expect(nothing.status != 0 && nothing.output.contains("no SQLite database at \(dir)/data/kinora.sqlite"), "\(nothing.output)")

        #expect(try await kinora(["migrate"]).status == 0)
        let ada = try await kinora(["user", "add", "ada", "--role", "admin", "--email", "Ada@Example.org"])
        #expect(ada.status == 0, "\(ada.output)")
        #expect(try await kinora(["user", "add", "bob", "--role", "viewer"]).status == 0)

        let noPassword = try await kinora(["db", "migrate-to-postgres", "--url", url, "--password-file", dir + "/missing"])
        #expect(noPassword.status != 0 && noPassword.output.contains("cannot read \(dir)/missing"), "\(noPassword.output)")
        let notURL = try await kinora(["db", "migrate-to-postgres", "--url", "mysql://x"])
        #expect(notURL.status != 0 && notURL.output.contains("--url must be a postgres:// URL"), "\(notURL.output)")

        // The test server trusts loopback: the password is accepted and ignored.
        let moved = try await kinora(["db", "migrate-to-postgres", "--url", url], environment: ["KINORA_DATABASE_PASSWORD": "unused"])
        #expect(moved.status == 0, "\(moved.output)")
        #expect(moved.output.contains("\nusers: 2 rows in ") && moved.output.contains("\nsettings: "), "\(moved.output)")
        #expect(moved.output.contains("every table's row count and checksum match SQLite's"), "\(moved.output)")
        let printed = try #require(moved.output.range(of: "[database]\n").map { String(moved.output[$0.lowerBound...]) }, "\(moved.output)")
        #expect(printed.contains("url = \"\(url)\""), "\(printed)")

        // The printed lines are the configuration: the next command works on the copy.
        try ("[data]\ndir = \"\(dir)/data-pg\"\n" + printed).write(toFile: dir + "/etc/postgres.toml", atomically: true, encoding: .utf8)
        let carol = try await kinora(["user", "add", "carol", "--role", "creator"], config: dir + "/etc/postgres.toml")
        #expect(carol.status == 0, "\(carol.output)")
        let taken = try await kinora(["user", "add", "ADA", "--role", "viewer"], config: dir + "/etc/postgres.toml")
        #expect(taken.status != 0, "the copied ada must keep her name: \(taken.output)")
        let postgres = KinoraDatabase(postgres: PostgresDatabase(url: url, size: 1), address: url)
        let names = try postgres.sql.read { db in
            try db.fetchAll("SELECT username FROM users ORDER BY username").compactMap { $0["username"] as String? }
        }
        #expect(names == ["ada", "bob", "carol"])
        #expect(try postgres.sql.read { try $0.scalar(String.self, "SELECT username FROM users WHERE email = 'ada@example.ORG'") } == "ada")

        let again = try await kinora(["db", "migrate-to-postgres", "--url", url, "--restart"])
        #expect(again.status != 0 && again.output.contains("not empty (table"), "\(again.output)")

        // doctor reports the server it would use; an unreachable one is a problem it names.
        let doctor = try await kinora(["doctor"], config: dir + "/etc/postgres.toml")
        #expect(doctor.output.contains("database:  PostgreSQL 15."), "\(doctor.output)")
        #expect(!doctor.output.contains("cannot use the database"), "\(doctor.output)")
        let port = try PostgresServer.freePort()
        try "[data]\ndir = \"\(dir)/data-pg\"\n[database]\nurl = \"postgres://kinora@127.0.0.1:\(port)/none\"\n"
            .write(toFile: dir + "/etc/down.toml", atomically: true, encoding: .utf8)
        let down = try await kinora(["doctor"], config: dir + "/etc/down.toml")
        #expect(down.status != 0 && down.output.contains("cannot use the database at postgres://kinora@127.0.0.1:\(port)/none"), "\(down.output)")
    }
}
