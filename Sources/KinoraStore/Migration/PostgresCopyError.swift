/// Why `kinora db migrate-to-postgres` stopped, in words an operator can act on.
public enum PostgresCopyError: Error, CustomStringConvertible, Sendable {
    /// The source is not SQLite, or the target not PostgreSQL.
    case wrongEngines(String)
    /// The SQLite database is behind this version's schema.
    case sourceNotMigrated([String])
    /// SQLite rows whose foreign key points at no row (PostgreSQL would refuse them).
    case sourceDangling(String)
    /// The target holds rows of its own.
    case targetNotEmpty(table: String)
    /// An earlier copy into the target stopped before it finished.
    case unfinished(source: String, startedAt: String)
    /// The two schemas do not match table for table, column for column.
    case schema(String)
    /// A SQLite value that has no PostgreSQL form in its column.
    case value(table: String, column: String, row: String, reason: String)
    /// PostgreSQL refused a batch of rows.
    case insert(table: String, message: String)
    /// The copy and its source differ once written.
    case countMismatch(table: String, source: Int, target: Int)
    case checksumMismatch(table: String, source: String, target: String)

    public var description: String {
        switch self {
        case .wrongEngines(let message):
            message
        case .sourceNotMigrated(let pending):
            "the SQLite database has migrations not applied yet (\(pending.joined(separator: ", "))): run `kinora migrate` on it first, "
                + "with the configuration that still names SQLite, then copy"
        case .sourceDangling(let rows):
            "the SQLite database has rows whose foreign key points at no row, which PostgreSQL would refuse: \(rows)"
        case .targetNotEmpty(let table):
            "the PostgreSQL database is not empty (table \(table) has rows): the copy goes only into an empty database"
        case .unfinished(let source, let startedAt):
            "an earlier copy into this PostgreSQL database (from \(source), started \(startedAt)) did not finish: "
                + "run again with --restart to empty what it copied and start over"
        case .schema(let message):
            "the SQLite and PostgreSQL schemas differ: \(message)"
        case .value(let table, let column, let row, let reason):
            "table \(table), row \(row), column \(column): \(reason)"
        case .insert(let table, let message):
            "table \(table): PostgreSQL refused rows: \(message)"
        case .countMismatch(let table, let source, let target):
            "table \(table): \(source) rows in SQLite but \(target) in PostgreSQL after the copy"
        case .checksumMismatch(let table, let source, let target):
            "table \(table): the copied rows differ from SQLite's (checksum \(source) in SQLite, \(target) in PostgreSQL)"
        }
    }
}
