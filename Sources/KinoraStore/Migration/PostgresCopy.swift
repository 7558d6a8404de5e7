import Foundation

/// Copies a SQLite install's database into an empty PostgreSQL database (issue 17): the
/// target is migrated to the same schema version, then filled table by table, parents before
/// children, each table in one transaction of multi-row `INSERT`s; each table's row count and
/// ``TableChecksum`` are compared with SQLite's before the next one starts; identity sequences
/// are moved past the copied ids. The source is only read, in one transaction, so the copy is
/// of one moment even if something still writes to it (the daemon should be stopped: what it
/// writes afterwards is not copied).
///
/// Restarting: the copy marks the target with a table of its own
/// (``markerTable``) before it writes anything and drops it once every table is verified. A
/// target with the mark is a copy that did not finish: it is refused unless `restart` is set,
/// which empties every table (the only rows there are the unfinished copy's) and starts over.
/// A target without the mark that has rows is never emptied.
///
/// ```swift
/// let copy = PostgresCopy(from: sqlite, to: postgres)
/// try copy.run { print("\($0.table): \($0.rows) rows in \($0.seconds) s") }
/// ```
public struct PostgresCopy: Sendable {
    /// One verified table.
    public struct TableCopied: Sendable, Equatable {
        public let table: String
        public let rows: Int
        public let seconds: Double
        /// The checksum both sides agreed on (hexadecimal).
        public let checksum: String
    }

    /// The mark of a copy under way, left behind by one that stopped.
    public static let markerTable = "kinora_copy_unfinished"

    let source: KinoraDatabase
    let target: KinoraDatabase
    let batchRows: Int

    /// - Parameter batchRows: Rows per `INSERT` (fewer for a table so wide that PostgreSQL's
    ///   65,535 parameters a statement would not hold them).
    public init(from source: KinoraDatabase, to target: KinoraDatabase, batchRows: Int = 500) {
        self.source = source
        self.target = target
        self.batchRows = max(1, batchRows)
    }

    /// Copies every table and returns them in the order copied. `progress` hears of each table
    /// once it is verified; if it throws, the copy stops there, as an interruption would.
    @discardableResult
    public func run(restart: Bool = false, progress: (TableCopied) throws -> Void = { _ in }) throws -> [TableCopied] {
        guard source.dialect == .sqlite, target.dialect == .postgres else {
            throw PostgresCopyError.wrongEngines("the copy goes from SQLite (here \(source.dialect)) to PostgreSQL (here \(target.dialect))")
        }
        let pending = try source.pendingMigrations()
        guard pending.isEmpty else { throw PostgresCopyError.sourceNotMigrated(pending) }
        try claimTarget(restart: restart)
        try target.migrate()
        let behind = try target.pendingMigrations()
        guard behind.isEmpty else { throw PostgresCopyError.schema("PostgreSQL still lacks migrations \(behind.joined(separator: ", "))") }

        var copied: [TableCopied] = []
        let (plan, highWater) = try source.sql.read { sqlite in
            try Self.checkForeignKeys(sqlite)
            let plan = try target.sql.read { try CopyPlan(source: sqlite, target: $0) }
            for table in plan.tables {
                let done = try copy(table, from: sqlite)
                copied.append(done)
                try progress(done)
            }
            return (plan, try Self.autoincrementHighWater(sqlite))
        }
        try resetSequences(plan, highWater: highWater)
        try target.sql.write { db in
            // Fresh statistics, so the planner's first queries on the copied rows are not guesses.
            try db.execute("ANALYZE")
            try db.execute("DROP TABLE \(Self.markerTable)")
        }
        return copied
    }

    /// Refuses a target with rows of its own, or one a stopped copy left (unless `restart`),
    /// and marks it as being filled.
    private func claimTarget(restart: Bool) throws {
        try target.sql.write { db in
            let marked = try db.scalar(Bool.self, "SELECT to_regclass(?) IS NOT NULL", [Self.markerTable]) ?? false
            let tables = try CopyPlan.targetTables(db)
            if marked {
                let mark = try db.fetchOne("SELECT source, started_at FROM \(Self.markerTable)")
                guard restart else {
                    let started: Date? = mark?["started_at"]
                    throw PostgresCopyError.unfinished(source: mark?["source"] ?? "?", startedAt: started.map { $0.storageText + " UTC" } ?? "?")
                }
                if !tables.isEmpty {
                    try db.execute("TRUNCATE \(tables.map(CopyPlan.quoted).joined(separator: ", ")) RESTART IDENTITY CASCADE")
                }
                try db.execute("UPDATE \(Self.markerTable) SET source = ?, started_at = now()", [source.path])
                return
            }
            for table in tables {
                if try db.scalar(Bool.self, "SELECT EXISTS (SELECT 1 FROM \(CopyPlan.quoted(table)))") == true {
                    throw PostgresCopyError.targetNotEmpty(table: table)
                }
            }
            try db.execute("CREATE TABLE \(Self.markerTable) (source text NOT NULL, started_at timestamptz NOT NULL DEFAULT now())")
            try db.execute("INSERT INTO \(Self.markerTable)(source) VALUES (?)", [source.path])
        }
    }

    /// PostgreSQL checks every foreign key as rows arrive; SQLite's own check names the rows
    /// that would fail, before anything is written.
    private static func checkForeignKeys(_ sqlite: any SQLConnection) throws {
        let dangling = try sqlite.fetchAll("PRAGMA foreign_key_check")
        guard !dangling.isEmpty else { return }
        let named = dangling.prefix(5).map { row in
            "\(row["table"] ?? "?") rowid \(row["rowid"] ?? "?") (no such \(row["parent"] ?? "?") row)"
        }
        throw PostgresCopyError.sourceDangling(named.joined(separator: ", ") + (dangling.count > 5 ? " and \(dangling.count - 5) more" : ""))
    }

    /// SQLite's AUTOINCREMENT never reuses an id, even one whose row was deleted;
    /// `sqlite_sequence` remembers the highest ever given, which PostgreSQL's sequence must pass.
    private static func autoincrementHighWater(_ sqlite: any SQLConnection) throws -> [String: Int64] {
        guard try sqlite.scalar(Int.self, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_sequence'") == 1 else { return [:] }
        var seen: [String: Int64] = [:]
        for row in try sqlite.fetchAll("SELECT name, seq FROM sqlite_sequence") {
            if let name: String = row["name"], let seq: Int64 = row["seq"] { seen[name] = seq }
        }
        return seen
    }

    /// One table: read a page from SQLite, convert, insert it as one statement; all in one
    /// PostgreSQL transaction; then verified.
    private func copy(_ table: CopyPlan.Table, from sqlite: any SQLConnection) throws -> TableCopied {
        let clock = ContinuousClock()
        let started = clock.now
        let columns = table.columns
        let kinds = columns.map(\.kind)
        let pageRows = max(1, min(batchRows, 65_535 / max(1, columns.count)))
        let expressions = columns.map(\.sourceExpression).joined(separator: ", ")
        let name = CopyPlan.quoted(table.name)
        // Keyset paging on rowid: each page is an index seek, where OFFSET would rescan.
        let page =
            table.sourceOrder.map { "SELECT \(expressions) FROM \(name) ORDER BY \($0) LIMIT ? OFFSET ?" }
            ?? "SELECT rowid, \(expressions) FROM \(name) WHERE rowid > ? ORDER BY rowid LIMIT ?"
        let skip = table.sourceOrder == nil ? 1 : 0
        let insertHead =
            "INSERT INTO \(name) (\(columns.map { CopyPlan.quoted($0.name) }.joined(separator: ", ")))"
            + (table.overridesIdentity ? " OVERRIDING SYSTEM VALUE" : "") + " VALUES "
        let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        var statements: [Int: String] = [:]
        func insert(_ rows: Int) -> String {
            if let known = statements[rows] { return known }
            let text = insertHead + Array(repeating: tuple, count: rows).joined(separator: ", ")
            statements[rows] = text
            return text
        }

        var checksum = TableChecksum()
        let sourceCount = try sqlite.scalar(Int.self, "SELECT COUNT(*) FROM \(name)") ?? 0
        try target.sql.write { postgres in
            var lastRowid = Int64.min
            var offset = 0
            while true {
                let rows = try sqlite.fetchAll(page, table.sourceOrder == nil ? [lastRowid, pageRows] : [pageRows, offset])
                if rows.isEmpty { break }
                offset += rows.count
                if skip == 1, let rowid: Int64 = rows.last?.values.first.flatMap(Int64.init(sqlValue:)) { lastRowid = rowid }
                var arguments: [SQLValue] = []
                arguments.reserveCapacity(rows.count * columns.count)
                for row in rows {
                    var values: [SQLValue] = []
                    values.reserveCapacity(columns.count)
                    for (index, column) in columns.enumerated() {
                        switch column.converted(row.values[index + skip]) {
                        case .success(let value): values.append(value)
                        case .failure(let problem):
                            throw PostgresCopyError.value(
                                table: table.name, column: column.name, row: Self.describe(row, skip: skip, table: table),
                                reason: "\(Self.shown(problem.value)) \(problem.reason)")
                        }
                    }
                    checksum.add(values, kinds: kinds)
                    arguments += values
                }
                do {
                    try postgres.execute(insert(rows.count), arguments)
                } catch let error as SQLError {
                    throw PostgresCopyError.insert(table: table.name, message: error.description)
                }
                if rows.count < pageRows { break }
            }
        }
        let copied = try verify(table, kinds: kinds)
        guard sourceCount == checksum.rows, copied.rows == sourceCount else {
            throw PostgresCopyError.countMismatch(table: table.name, source: sourceCount, target: copied.rows)
        }
        guard copied == checksum else {
            throw PostgresCopyError.checksumMismatch(table: table.name, source: checksum.description, target: copied.description)
        }
        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return TableCopied(table: table.name, rows: copied.rows, seconds: seconds, checksum: copied.description)
    }

    /// The checksum of what PostgreSQL now holds, read back through a cursor (a page at a time,
    /// so a large table is never in memory whole).
    private func verify(_ table: CopyPlan.Table, kinds: [CopyColumn.Kind]) throws -> TableChecksum {
        try target.sql.write { db in
            let columns = table.columns.map { CopyPlan.quoted($0.name) }.joined(separator: ", ")
            try db.execute("DECLARE kinora_copy_check NO SCROLL CURSOR FOR SELECT \(columns) FROM \(CopyPlan.quoted(table.name))")
            var checksum = TableChecksum()
            while true {
                let rows = try db.fetchAll("FETCH FORWARD 2000 FROM kinora_copy_check")
                if rows.isEmpty { break }
                for row in rows { checksum.add(row.values, kinds: kinds) }
            }
            try db.execute("CLOSE kinora_copy_check")
            return checksum
        }
    }

    /// New rows take ids past every copied one (and past any SQLite gave out and deleted).
    private func resetSequences(_ plan: CopyPlan, highWater: [String: Int64]) throws {
        try target.sql.write { db in
            for table in plan.tables {
                for column in table.identity {
                    let copied = try db.scalar(Int64.self, "SELECT MAX(\(CopyPlan.quoted(column))) FROM \(CopyPlan.quoted(table.name))") ?? 0
                    let next = max(copied, highWater[table.name] ?? 0)
                    // setval(…, 1, false): the next id is 1, for a table that never had a row.
                    try db.execute(
                        "SELECT setval(pg_get_serial_sequence(?, ?), ?, ?)",
                        [CopyPlan.quoted(table.name), column, max(next, 1), next > 0])
                }
            }
        }
    }

    /// A row named by its primary key (the rowid where the key is not among the values read).
    private static func describe(_ row: SQLRow, skip: Int, table: CopyPlan.Table) -> String {
        let pairs = table.key.compactMap { key -> String? in
            guard let index = table.columns.firstIndex(where: { $0.name == key }) else { return nil }
            return "\(key) = \(shown(row.values[index + skip]))"
        }
        if pairs.count == table.key.count, !pairs.isEmpty { return pairs.joined(separator: ", ") }
        return skip == 1 ? "rowid \(shown(row.values[0]))" : "?"
    }

    private static func shown(_ value: SQLValue) -> String {
        switch value {
        case .null: "NULL"
        case .integer(let number): String(number)
        case .real(let number): String(number)
        case .text(let text): "'\(text.count > 60 ? String(text.prefix(60)) + "…" : text)'"
        case .blob(let bytes): "a blob of \(bytes.count) bytes"
        case .date(let date): date.storageText
        case .bool(let flag): String(flag)
        }
    }
}
