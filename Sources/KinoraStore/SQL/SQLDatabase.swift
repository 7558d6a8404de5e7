/// The two SQL engines the store runs on. Repositories write one statement where both accept
/// it (`INSERT … ON CONFLICT … DO NOTHING`, `CURRENT_TIMESTAMP`, `?` placeholders) and ask the
/// dialect where they differ, so the difference lives in the repository, not in its callers.
public enum SQLDialect: String, Sendable {
    case sqlite
    case postgres

    /// The larger of two expressions (SQLite's scalar `MAX`, PostgreSQL's `GREATEST`).
    public func greatest(_ a: String, _ b: String) -> String {
        self == .sqlite ? "MAX(\(a), \(b))" : "GREATEST(\(a), \(b))"
    }

    /// The smaller of two expressions.
    public func least(_ a: String, _ b: String) -> String {
        self == .sqlite ? "MIN(\(a), \(b))" : "LEAST(\(a), \(b))"
    }
}

/// What a repository runs its statements on, inside ``SQLDatabase/read(_:)`` or
/// ``SQLDatabase/write(_:)``. Statements use `?` placeholders on both backends.
public protocol SQLConnection {
    var dialect: SQLDialect { get }

    /// Runs a statement; returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int

    /// Every row of a query.
    func fetchAll(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow]

    /// Runs `body`, whose statements are long (a fan-out slice), giving the CPU away often
    /// while they run, where the engine runs them in this process (SQLite).
    func yieldingCPU<T>(_ body: () throws -> T) throws -> T
}

extension SQLConnection {
    @discardableResult
    public func execute(_ sql: String, _ arguments: [any SQLBindable] = []) throws -> Int {
        try execute(sql, arguments.map(\.sqlValue))
    }

    public func fetchAll(_ sql: String, _ arguments: [any SQLBindable] = []) throws -> [SQLRow] {
        try fetchAll(sql, arguments.map(\.sqlValue))
    }

    /// The first row, or nil.
    public func fetchOne(_ sql: String, _ arguments: [any SQLBindable] = []) throws -> SQLRow? {
        try fetchAll(sql, arguments.map(\.sqlValue)).first
    }

    /// The first column of the first row as `T`, or nil (no row, or NULL).
    public func scalar<T: SQLDecodable>(_ type: T.Type, _ sql: String, _ arguments: [any SQLBindable] = []) throws -> T? {
        guard let first = try fetchOne(sql, arguments)?.values.first else { return nil }
        return T(sqlValue: first)
    }
}

/// A database on one of the two backends: SQLite (the appliance's default, through GRDB) or
/// PostgreSQL (several nodes, through libpq). Both block the calling thread, as GRDB always
/// has; a write runs in one transaction, committed when `body` returns and rolled back when it
/// throws.
///
/// ```swift
/// let value = try database.read { db in try db.scalar(String.self, "SELECT value FROM settings WHERE key = ?", [key]) }
/// try database.write { db in try db.execute("DELETE FROM settings WHERE key = ?", [key]) }
/// ```
public protocol SQLDatabase: Sendable {
    var dialect: SQLDialect { get }
    func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T
    /// The body's result is often a count of changed rows nobody needs.
    @discardableResult
    func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T
}

/// Why a statement failed, in the store's own words; the engine's message is kept.
public enum SQLError: Error, CustomStringConvertible, Sendable {
    /// The statement would have duplicated a primary key or a unique value.
    case unique(String)
    /// The statement broke another constraint (foreign key, check, not null).
    case constraint(String)
    /// A value read back was not what the repository asked for.
    case decoding(String)
    /// Could not reach or log in to the server.
    case connection(String)
    /// Anything else the engine reported.
    case statement(String)

    public var description: String {
        switch self {
        case .unique(let message): "already exists: \(message)"
        case .constraint(let message): "constraint violated: \(message)"
        case .decoding(let message): "unexpected value: \(message)"
        case .connection(let message): "cannot reach the database: \(message)"
        case .statement(let message): message
        }
    }
}
