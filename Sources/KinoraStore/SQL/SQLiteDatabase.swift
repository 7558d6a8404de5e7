import Foundation
import GRDB
import GRDBSQLite

/// The SQLite backend of ``SQLDatabase``: GRDB's pool (WAL: readers never wait for the
/// writer), values stored as GRDB always stored them, so existing data folders read unchanged.
struct SQLiteDatabase: SQLDatabase {
    let pool: DatabasePool

    var dialect: SQLDialect { .sqlite }

    func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try Self.mapping { try pool.read { try body(SQLiteConnection(db: $0)) } }
    }

    @discardableResult
    func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try Self.mapping { try pool.write { try body(SQLiteConnection(db: $0)) } }
    }

    /// GRDB's errors as ``SQLError``s, so callers catch one kind on both backends.
    static func mapping<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            if error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE || error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
                throw SQLError.unique(error.message ?? "\(error)")
            }
            if error.resultCode == .SQLITE_CONSTRAINT { throw SQLError.constraint(error.message ?? "\(error)") }
            if error.resultCode == .SQLITE_CANTOPEN { throw SQLError.connection(error.message ?? "\(error)") }
            throw SQLError.statement(error.message ?? "\(error)")
        }
    }
}

struct SQLiteConnection: SQLConnection {
    let db: Database

    var dialect: SQLDialect { .sqlite }

    /// SQLite's progress handler calls `sched_yield` every 2,000 virtual machine steps (a
    /// few tens of microseconds). A thread on its CPU keeps it for the rest of its slice
    /// when a request's thread wakes there, niced or not (EEVDF runs to parity): a fan-out
    /// slice of 5,000 subscribers would hold a woken request for a millisecond or more at
    /// each of its hops; yielding lets it in at once.
    func yieldingCPU<T>(_ body: () throws -> T) throws -> T {
        guard let handle = db.sqliteConnection else { return try body() }
        sqlite3_progress_handler(handle, 2_000, { _ in
            sched_yield()
            return 0
        }, nil)
        defer { sqlite3_progress_handler(handle, 0, nil, nil) }
        return try body()
    }

    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        try db.execute(sql: sql, arguments: StatementArguments(arguments.map(Self.databaseValue)))
        return db.changesCount
    }

    func fetchAll(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        // A cached statement is parsed (and passed through GRDB's authorizer) once per
        // connection, not per request: parsing was a tenth of a catalog listing's CPU. The
        // statements are the code's own texts (IN lists vary in length only), so the caches
        // stay small.
        let statement = try db.cachedStatement(sql: sql)
        let rows = try Row.fetchAll(statement, arguments: StatementArguments(arguments.map(Self.databaseValue)))
        return rows.map { row in
            SQLRow(columns: Array(row.columnNames), values: row.databaseValues.map(Self.value))
        }
    }

    /// Dates as the text GRDB writes (``Foundation/Date/storageText``), booleans as 0 and 1.
    static func databaseValue(_ value: SQLValue) -> DatabaseValue {
        switch value {
        case .null: .null
        case .integer(let number): number.databaseValue
        case .real(let number): number.databaseValue
        case .text(let text): text.databaseValue
        case .blob(let bytes): Data(bytes).databaseValue
        case .date(let date): date.storageText.databaseValue
        case .bool(let flag): (flag ? 1 : 0).databaseValue
        }
    }

    static func value(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: .null
        case .int64(let number): .integer(number)
        case .double(let number): .real(number)
        case .string(let text): .text(text)
        case .blob(let data): .blob(Array(data))
        }
    }
}
