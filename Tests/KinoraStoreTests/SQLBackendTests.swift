import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

/// The store's one SQL API behaves alike on SQLite and PostgreSQL: values come back as they
/// went in, constraint failures are one error, a failed write leaves nothing behind, and the
/// migrated repositories work on both.
@Suite struct SQLBackendTests {
    @Test(arguments: StoreBackend.allCases)
    func settingsWorkOnBothBackends(_ backend: StoreBackend) throws {
        let database = try backend.makeDatabase("settings")
        #expect(try database.pendingMigrations().first == "0001-settings")
        #expect(try database.migrate().first == "0001-settings")
        #expect(try database.migrate().isEmpty)
        #expect(try database.settings.value(for: "install.id") == nil)
        try database.settings.set("first", for: "install.id")
        #expect(try database.settings.setIfAbsent("second", for: "install.id") == "first")
        #expect(try database.settings.setIfAbsent("kept", for: "new.key") == "kept")
        try database.settings.set("changed", for: "install.id")
        #expect(try database.settings.value(for: "install.id") == "changed")
    }

    @Test(arguments: StoreBackend.allCases)
    func valuesComeBackAsTheyWentIn(_ backend: StoreBackend) throws {
        let database = try backend.makeDatabase("values")
        let sql = database.sql
        try sql.write { db in
            try db.execute(
                db.dialect == .sqlite
                    ? "CREATE TABLE sample (n INTEGER, r REAL, t TEXT, b BLOB, d DATETIME, f BOOLEAN, z TEXT)"
                    : "CREATE TABLE sample (n bigint, r double precision, t text, b bytea, d timestamptz, f boolean, z text)")
        }
        let date = Date(timeIntervalSince1970: 1_796_000_000.125)
        let bytes: [UInt8] = [0, 1, 0xfe, 0xff, 0x27, 0x3f]
        let text = "l'été? 🎬 \"quoted\" ?"
        let changed = try sql.write { db in
            try db.execute("INSERT INTO sample VALUES (?, ?, ?, ?, ?, ?, ?)", [Int64.max, 2.5, text, bytes, date, true, String?.none])
        }
        #expect(changed == 1)
        let row = try #require(try sql.read { try $0.fetchOne("SELECT * FROM sample WHERE t = ? AND '?' = '?'", [text]) })
        #expect(row["n"] == Int64.max)
        #expect(row["r"] == 2.5)
        #expect(row["t"] == text)
        #expect(row["b"] == bytes)
        let read: Date? = row["d"]
        #expect(abs((read?.timeIntervalSince1970 ?? 0) - date.timeIntervalSince1970) < 0.001, "\(String(describing: read))")
        #expect(row["f"] == true)
        #expect(row.raw("z") == .null && (row["z"] as String?) == nil)
        #expect(throws: SQLError.self) { try row.value("missing", as: Int.self) }
        // Dates compare as dates on both: a bound date against the stored one.
        #expect(try sql.read { try $0.scalar(Int.self, "SELECT COUNT(*) FROM sample WHERE d < ?", [date.addingTimeInterval(1)]) } == 1)
        #expect(try sql.read { try $0.scalar(Int.self, "SELECT COUNT(*) FROM sample WHERE d > ?", [date.addingTimeInterval(1)]) } == 0)
    }

    @Test(arguments: StoreBackend.allCases)
    func aFailedWriteLeavesNothingAndConstraintsAreOneError(_ backend: StoreBackend) throws {
        let database = try backend.makeDatabase("rollback")
        try database.migrate()
        try database.settings.set("kept", for: "a")
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try database.sql.write { db in
                try db.execute("UPDATE settings SET value = ? WHERE key = ?", ["lost", "a"])
                try db.execute("INSERT INTO settings(key, value) VALUES (?, ?)", ["b", "lost"])
                throw Abort()
            }
        }
        #expect(try database.settings.value(for: "a") == "kept")
        #expect(try database.settings.value(for: "b") == nil)
        let duplicate = #expect(throws: SQLError.self) {
            try database.sql.write { try $0.execute("INSERT INTO settings(key, value) VALUES (?, ?)", ["a", "again"]) }
        }
        guard case .unique = duplicate else {
            Issue.record("a duplicate key is not a constraint error: \(String(describing: duplicate))")
            return
        }
        // The pool's connection is usable after the failure.
        #expect(try database.settings.value(for: "a") == "kept")
    }

    @Test func nodesStartingTogetherMigratePostgreSQLOnce() async throws {
        let server = try PostgresServer.shared()
        let url = try server.makeDatabase("together")
        let applied = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try KinoraDatabase(postgres: PostgresDatabase(url: url, size: 2), address: url).migrate()
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let database = KinoraDatabase(postgres: PostgresDatabase(url: url, size: 2), address: url)
        #expect(applied.sorted() == (try database.sql.read { db in
            try db.fetchAll("SELECT identifier FROM kinora_migrations ORDER BY identifier").compactMap { $0["identifier"] as String? }
        }))
        #expect(try database.pendingMigrations().isEmpty)
    }

    @Test func theDaemonLoadsLibpqOnlyWhenAskedForPostgreSQL() throws {
        // Linked, libpq and its TLS, Kerberos and LDAP libraries cost every SQLite daemon
        // about 5.5 MiB of resident memory; the PostgreSQL tests here prove dlopen finds it.
        let linked = try TestEnvironment.run("/usr/bin/readelf", ["-d", TestEnvironment.kinoraExecutable])
        #expect(linked.status == 0 && linked.output.contains("NEEDED") && !linked.output.contains("libpq"), "\(linked.output)")
    }

    @Test func anUnreachableServerIsAConnectionErrorNamingIt() throws {
        let port = try PostgresServer.freePort()
        let database = PostgresDatabase(url: "postgres://kinora@127.0.0.1:\(port)/nothing", size: 1, connectTimeout: 2)
        let error = #expect(throws: SQLError.self) { try database.read { try $0.scalar(Int.self, "SELECT 1") } }
        guard case .connection(let message) = error else {
            Issue.record("not a connection error: \(String(describing: error))")
            return
        }
        #expect(message.contains("127.0.0.1") && message.contains(String(port)), "\(message)")
    }
}

/// Both engines' migrations end in the same schema: every table, column and index SQLite has,
/// PostgreSQL has under the same name, and nothing else (but the search table's own columns).
@Suite struct SchemaParityTests {
    @Test func postgreSQLMigrationsMatchSQLitesTableForTable() throws {
        let sqlite = try StoreBackend.sqlite.makeDatabase("parity")
        let postgres = try StoreBackend.postgres.makeDatabase("parity")
        #expect(try sqlite.migrate() == (try postgres.migrate()))
        let sqliteSchema = try sqlite.sql.read { db -> [String: Set<String>] in
            let tables = try db.fetchAll("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").compactMap { $0["name"] as String? }
            var schema: [String: Set<String>] = [:]
            for table in tables where !table.hasPrefix("sqlite_") && table != "grdb_migrations" && !Self.ftsShadow(table) {
                schema[table] = Set(try db.fetchAll("SELECT name FROM pragma_table_info(?)", [table]).compactMap { $0["name"] as String? })
            }
            return schema
        }
        let postgresSchema = try postgres.sql.read { db -> [String: Set<String>] in
            var schema: [String: Set<String>] = [:]
            for row in try db.fetchAll(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'kinora_migrations'")
            {
                schema[row["table_name"] ?? "", default: []].insert(row["column_name"] ?? "")
            }
            return schema
        }
        #expect(sqliteSchema.count >= 25 && sqliteSchema["jobs"]?.contains("interruptions") == true, "\(sqliteSchema.keys.sorted())")
        #expect(Set(sqliteSchema.keys) == Set(postgresSchema.keys))
        for (table, columns) in sqliteSchema {
            // FTS5's rowid is docid here, and the indexed text a generated column.
            let extra: Set<String> = table == "video_search" ? ["docid", "document"] : []
            #expect(columns.union(extra) == postgresSchema[table], "\(table)")
        }
        let sqliteIndexes = try sqlite.sql.read { db in
            Set(
                try db.fetchAll("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'")
                    .compactMap { $0["name"] as String? })
        }
        let postgresIndexes = try postgres.sql.read { db in
            Set(
                try db.fetchAll(
                    "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key'"
                ).compactMap { $0["indexname"] as String? })
        }
        #expect(sqliteIndexes.union(["video_search_document"]) == postgresIndexes)
    }

    static func ftsShadow(_ table: String) -> Bool {
        ["video_search_data", "video_search_idx", "video_search_content", "video_search_docsize", "video_search_config"].contains(table)
    }
}
