import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

/// `kinora db migrate-to-postgres`'s engine (issue 17): a SQLite install with rows in every
/// table lands in an empty PostgreSQL database with the same rows (counts and checksums
/// compared, values read back), parents before children, sequences past the copied ids; a
/// target with rows is refused; a copy that stopped halfway is refused until restarted.
@Suite struct PostgresCopyTests {
    struct Stop: Error {}

    @Test func everyTableIsCopiedAndReadsBackAsInSQLite() throws {
        let sqlite = try PostgresCopyFixture.sqlite("copy", videos: 1_234)
        let postgres = try PostgresServer.makeKinoraDatabase("copy")
        var heard: [String] = []
        let copied = try PostgresCopy(from: sqlite, to: postgres).run { heard.append($0.table) }
        let tables = try PostgresCopyFixture.postgresTables(postgres)
        // A migration that adds a table fails here until the fixture puts rows in it.
        #expect(Set(copied.map(\.table)) == tables && heard == copied.map(\.table))
        #expect(tables.count >= 29 && !tables.contains(PostgresCopy.markerTable), "\(tables.sorted())")
        for table in copied {
            #expect(table.rows > 0, "the fixture leaves \(table.table) empty: give it rows, so its copy is proven")
            #expect(try PostgresCopyFixture.count(sqlite, table.table) == table.rows, "\(table.table)")
            #expect(try PostgresCopyFixture.count(postgres, table.table) == table.rows, "\(table.table)")
        }
        #expect(copied.first { $0.table == "videos" }?.rows == 1_234 && copied.first { $0.table == "video_search" }?.rows == 1_234)
        // Parents before children, from the schema's foreign keys.
        let order = copied.map(\.table)
        for (parent, child) in [("users", "channels"), ("channels", "videos"), ("videos", "jobs"), ("video_search_docs", "video_search"), ("playlists", "playlist_items")] {
            #expect(order.firstIndex(of: parent)! < order.firstIndex(of: child)!, "\(parent) before \(child): \(order)")
        }

        try postgres.sql.read { db in
            let ada = try #require(try db.fetchOne("SELECT * FROM users WHERE email = 'ada@example.org'"))
            #expect(ada["username"] == "Ada" && ada["display_name"] == "Ada L'ovelace 🎬" && ada["bio"] == "line one\nline two")
            #expect(ada.raw("disabled") == .bool(false) && ada.raw("email_verified") == .bool(true))
            #expect(abs((ada["created_at"] as Date?)!.timeIntervalSince1970 - PostgresCopyFixture.start.timeIntervalSince1970) < 0.001)
            #expect(try db.scalar(Bool.self, "SELECT disabled FROM users WHERE username = 'BOB'") == true)
            #expect(try db.scalar([UInt8].self, "SELECT sealed_secret FROM totp_secrets") == PostgresCopyFixture.secret)
            #expect(try db.scalar(Double.self, "SELECT position FROM watch_history") == 12.25)
            #expect(try db.scalar(Int64.self, "SELECT updated_ms FROM watch_history") == 1_780_000_000_125)
            let v0 = try #require(try db.fetchOne("SELECT * FROM videos WHERE id = 'v0'"))
            #expect(v0["title"] == "Vidéo \"0\" ?" && v0["category_id"] == "c1" && v0.raw("presentation") == .null)
            let published = try #require(v0["publish_at"] as Date?)
            #expect(abs(published.timeIntervalSince1970 - PostgresCopyFixture.start.addingTimeInterval(3600).timeIntervalSince1970) < 0.001)
            #expect(try db.scalar(Double.self, "SELECT duration FROM videos WHERE id = 'v7'") == 12.5 + 7.0 / 3)
            #expect(try db.scalar(Bool.self, "SELECT is_default FROM captions") == true)
            // SQLite's CURRENT_TIMESTAMP text (no milliseconds) is a date too.
            #expect(try db.scalar(Date.self, "SELECT updated_at FROM settings") != nil)
            // The search text came over, and PostgreSQL's generated document indexes it.
            let found = try db.fetchAll(
                "SELECT d.video_id FROM video_search s JOIN video_search_docs d ON d.docid = s.docid WHERE s.document @@ to_tsquery('simple', 'harbour') AND s.title = 'Vidéo 5'")
            #expect(found.compactMap { $0["video_id"] as String? } == ["v5"])
        }

        // New rows take fresh ids: past the copied ones, and past SQLite's deleted job 3.
        let newJob = try postgres.sql.write { db in
            try db.scalar(
                Int64.self,
                "INSERT INTO jobs(video_id, kind, state, created_at, updated_at) VALUES ('v1', 'transcode', 'queued', now(), now()) RETURNING id")
        }
        #expect(newJob == 4)
        let maxDoc = try postgres.sql.read { try $0.scalar(Int64.self, "SELECT MAX(docid) FROM video_search_docs") } ?? 0
        let newDoc = try postgres.sql.write { db in
            try db.execute("INSERT INTO videos(id, title, visibility, status, created_at, updated_at) VALUES ('new', 'n', 'public', 'ready', now(), now())")
            return try db.scalar(Int64.self, "INSERT INTO video_search_docs(video_id) VALUES ('new') RETURNING docid")
        }
        #expect(newDoc == maxDoc + 1)
        // Small batches: many pages per table, the last one partial, the same result.
        let again = try PostgresServer.makeKinoraDatabase("copysmall")
        let paged = try PostgresCopy(from: sqlite, to: again, batchRows: 7).run()
        #expect(paged.map(\.checksum) == copied.map(\.checksum) && paged.map(\.rows) == copied.map(\.rows))
    }

    @Test func aTargetWithRowsIsRefusedAndLeftAlone() throws {
        let sqlite = try PostgresCopyFixture.sqlite("refuse")
        let postgres = try PostgresServer.makeKinoraDatabase("refuse")
        try postgres.migrate()
        try postgres.settings.set("theirs", for: "install.id")
        for restart in [false, true] {
            let error = #expect(throws: PostgresCopyError.self) { try PostgresCopy(from: sqlite, to: postgres).run(restart: restart) }
            #expect(error?.description.contains("not empty (table settings has rows)") == true, "\(String(describing: error))")
        }
        #expect(try postgres.settings.value(for: "install.id") == "theirs")
        #expect(try PostgresCopyFixture.postgresTables(postgres).contains(PostgresCopy.markerTable) == false)
    }

    @Test func aCopyThatStoppedIsRefusedUntilRestartedThenCompletes() throws {
        let sqlite = try PostgresCopyFixture.sqlite("restart", videos: 20)
        let postgres = try PostgresServer.makeKinoraDatabase("restart")
        // Interrupted after five tables (as by ^C): those stay copied, the mark stays.
        var seen = 0
        #expect(throws: Stop.self) {
            try PostgresCopy(from: sqlite, to: postgres).run { _ in
                seen += 1
                if seen == 5 { throw Stop() }
            }
        }
        #expect(try PostgresCopyFixture.postgresTables(postgres).contains(PostgresCopy.markerTable))
        let unfinished = #expect(throws: PostgresCopyError.self) { try PostgresCopy(from: sqlite, to: postgres).run() }
        #expect(unfinished?.description.contains("did not finish: run again with --restart") == true, "\(String(describing: unfinished))")
        #expect(unfinished?.description.contains(sqlite.path) == true, "\(String(describing: unfinished))")

        // Stopped by a value PostgreSQL cannot take: the error names table, row and column.
        try sqlite.sql.write { try $0.execute("UPDATE videos SET updated_at = 'last tuesday' WHERE id = 'v3'") }
        let bad = #expect(throws: PostgresCopyError.self) { try PostgresCopy(from: sqlite, to: postgres).run(restart: true) }
        #expect(
            bad?.description == "table videos, row id = 'v3', column updated_at: 'last tuesday' is not a date (yyyy-MM-dd HH:mm:ss.SSS)",
            "\(String(describing: bad))")

        try sqlite.sql.write { try $0.execute("UPDATE videos SET updated_at = created_at WHERE id = 'v3'") }
        let copied = try PostgresCopy(from: sqlite, to: postgres).run(restart: true)
        #expect(!(try PostgresCopyFixture.postgresTables(postgres).contains(PostgresCopy.markerTable)))
        for table in copied {
            #expect(try PostgresCopyFixture.count(postgres, table.table) == (try PostgresCopyFixture.count(sqlite, table.table)), "\(table.table)")
        }
        #expect(copied.first { $0.table == "videos" }?.rows == 20)
        let newJob = try postgres.sql.write { db in
            try db.scalar(
                Int64.self,
                "INSERT INTO jobs(video_id, kind, state, created_at, updated_at) VALUES ('v1', 'transcode', 'queued', now(), now()) RETURNING id")
        }
        #expect(newJob == 4)
        // Done is done: a second copy into the filled database is refused.
        #expect(throws: PostgresCopyError.self) { try PostgresCopy(from: sqlite, to: postgres).run(restart: true) }
    }

    @Test func aSourceBehindTheSchemaIsRefused() throws {
        let sqlite = try StoreBackend.sqlite.makeDatabase("behind")
        let postgres = try PostgresServer.makeKinoraDatabase("behind")
        let error = #expect(throws: PostgresCopyError.self) { try PostgresCopy(from: sqlite, to: postgres).run() }
        #expect(error?.description.contains("run `kinora migrate` on it first") == true, "\(String(describing: error))")
        #expect(try postgres.pendingMigrations().first == "0001-settings")
    }

    @Test func aChangedRowIsACountOrChecksumMismatchNamingItsTable() throws {
        // The checksum's own behaviour: a date one millisecond off, or one boolean flipped,
        // changes its table's checksum and no other.
        let sqlite = try PostgresCopyFixture.sqlite("checksum", videos: 4)
        let first = try PostgresServer.makeKinoraDatabase("checksum1")
        let reference = try PostgresCopy(from: sqlite, to: first).run()
        try sqlite.sql.write { db in
            let text = try #require(try db.scalar(String.self, "SELECT updated_at FROM videos WHERE id = 'v2'"))
            let last = try #require(text.last?.wholeNumberValue)
            let moved = String(text.dropLast()) + String(last == 9 ? 8 : last + 1)
            try db.execute("UPDATE videos SET updated_at = ? WHERE id = 'v2'", [moved])
            try db.execute("UPDATE users SET disabled = 0 WHERE id = 'u2'")
        }
        let second = try PostgresServer.makeKinoraDatabase("checksum2")
        let changed = try PostgresCopy(from: sqlite, to: second).run()
        let differing = zip(reference, changed).filter { $0.checksum != $1.checksum }.map(\.0.table)
        #expect(differing == ["users", "videos"] || differing == ["videos", "users"], "\(differing)")
    }
}
