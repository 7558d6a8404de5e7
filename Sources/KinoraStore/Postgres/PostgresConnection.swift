import CPostgres
import Foundation

/// One libpq connection to a PostgreSQL server, used by one thread at a time (the pool hands
/// it out). Statements are sent with their parameters apart (`PQexecParams`), never spliced
/// into the text, and results come back as text, converted by column type.
final class PostgresConnection {
    private var connection: OpaquePointer?

    /// Connects with `url` (a `postgres://` URL or a libpq key=value string) and `options`
    /// (libpq keywords such as `options`, `connect_timeout`).
    init(url: String, options: [String: String]) throws {
        var keywords = ["dbname"] + options.keys.sorted()
        var values = [url] + options.keys.sorted().map { options[$0] ?? "" }
        keywords.append("fallback_application_name")
        values.append("kinora")
        connection = Self.withCStrings(keywords) { keys in
            Self.withCStrings(values) { vals in
                // expand_dbname = 1: `dbname` may be a whole URL or connection string.
                PQconnectdbParams(keys, vals, 1)
            }
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(connection))
            PQfinish(connection)
            connection = nil
            throw SQLError.connection(message)
        }
    }

    deinit {
        PQfinish(connection)
    }

    /// Whether the server went away (the pool drops such a connection rather than reuse it).
    var isBroken: Bool { PQstatus(connection) != CONNECTION_OK }

    /// The server's version number (150018 for 15.18).
    var serverVersion: Int { Int(PQserverVersion(connection)) }

    /// Runs one statement with `?` placeholders; returns its rows and how many rows it changed.
    func run(_ sql: String, _ arguments: [SQLValue]) throws -> (rows: [SQLRow], changed: Int) {
        let text = Self.numberedPlaceholders(sql)
        let parameters = arguments.map(PostgresParameter.init)
        let result: OpaquePointer? = Self.withParameters(parameters) { types, values, lengths, formats in
            PQexecParams(connection, text, Int32(parameters.count), types, values, lengths, formats, 0)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return ([], Self.changedRows(result))
        case PGRES_TUPLES_OK:
            return (Self.rows(result), Self.changedRows(result))
        default:
            throw Self.error(result, connection: connection)
        }
    }

    /// Runs statements separated by semicolons, without parameters, in one implicit
    /// transaction (libpq's simple protocol): a migration's script.
    func runScript(_ sql: String) throws {
        let result = PQexec(connection, sql)
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY else {
            let error = Self.error(result, connection: connection)
            // A script that opened a transaction and failed leaves it open and aborted: the
            // connection goes back to the pool clean.
            if PQtransactionStatus(connection) != PQTRANS_IDLE { PQclear(PQexec(connection, "ROLLBACK")) }
            throw error
        }
    }

    /// `?` placeholders as PostgreSQL's `$1`, `$2`, …, leaving quoted text and identifiers alone.
    static func numberedPlaceholders(_ sql: String) -> String {
        var output = ""
        output.reserveCapacity(sql.utf8.count + 8)
        var number = 0
        var quote: Character?
        for character in sql {
            if let open = quote {
                if character == open { quote = nil }
                output.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                output.append(character)
            } else if character == "?" {
                number += 1
                output += "$\(number)"
            } else {
                output.append(character)
            }
        }
        return output
    }

    private static func changedRows(_ result: OpaquePointer?) -> Int {
        guard let tuples = PQcmdTuples(result) else { return 0 }
        return Int(String(cString: tuples)) ?? 0
    }

    private static func rows(_ result: OpaquePointer?) -> [SQLRow] {
        let count = Int(PQntuples(result)), fields = Int(PQnfields(result))
        let columns = (0..<fields).map { String(cString: PQfname(result, Int32($0))) }
        let types = (0..<fields).map { PQftype(result, Int32($0)) }
        var rows: [SQLRow] = []
        rows.reserveCapacity(count)
        for row in 0..<count {
            var values: [SQLValue] = []
            values.reserveCapacity(fields)
            for field in 0..<fields {
                if PQgetisnull(result, Int32(row), Int32(field)) == 1 {
                    values.append(.null)
                    continue
                }
                let text = String(cString: PQgetvalue(result, Int32(row), Int32(field)))
                values.append(PostgresType.value(text, type: types[field]))
            }
            rows.append(SQLRow(columns: columns, values: values))
        }
        return rows
    }

    /// The server's complaint as an ``SQLError``: class 23 (integrity) is a constraint,
    /// a lost connection a connection error; the SQLSTATE is kept for retries.
    private static func error(_ result: OpaquePointer?, connection: OpaquePointer?) -> Error {
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
        let message = result.flatMap { PQresultErrorMessage($0) }.map { trimmed($0) } ?? trimmed(PQerrorMessage(connection))
        if PQstatus(connection) != CONNECTION_OK { return SQLError.connection(message) }
        if state == "23505" { return SQLError.unique(message) }
        if state.hasPrefix("23") { return SQLError.constraint(message) }
        if state == "40001" || state == "40P01" { return PostgresRetry(message: message) }
        return SQLError.statement(state.isEmpty ? message : "\(message) (SQLSTATE \(state))")
    }

    static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "unknown error" }
        return String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let copies = strings.map { strdup($0) } + [nil]
        defer { copies.forEach { free($0) } }
        return copies.map { $0.map { UnsafePointer($0) } }.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    private static func withParameters<R>(
        _ parameters: [PostgresParameter],
        _ body: (UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> R
    ) -> R {
        let copies: [UnsafeMutablePointer<CChar>?] = parameters.map { parameter in
            guard let bytes = parameter.bytes else { return nil }
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, bytes.count + 1))
            bytes.withUnsafeBufferPointer { source in
                if let base = source.baseAddress { copy.update(from: UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), count: bytes.count) }
            }
            copy[bytes.count] = 0
            return copy
        }
        defer { copies.forEach { $0?.deallocate() } }
        let values = copies.map { $0.map { UnsafePointer($0) } }
        let types = parameters.map(\.type)
        let lengths = parameters.map { Int32($0.bytes?.count ?? 0) }
        let formats = parameters.map { $0.binary ? Int32(1) : 0 }
        return types.withUnsafeBufferPointer { t in
            values.withUnsafeBufferPointer { v in
                lengths.withUnsafeBufferPointer { l in
                    formats.withUnsafeBufferPointer { f in
                        body(t.baseAddress, v.baseAddress, l.baseAddress, f.baseAddress)
                    }
                }
            }
        }
    }
}

/// A serialization failure or deadlock: the transaction may succeed if run again.
struct PostgresRetry: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
