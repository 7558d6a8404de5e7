import CKinoraPQ
import Foundation

/// One libpq connection to a PostgreSQL server, used by one thread at a time (the pool hands
/// it out). Statements are sent with their parameters apart (`PQexecParams`), never spliced
/// into the text, and results come back as text, converted by column type.
final class PostgresConnection {
    private var connection: OpaquePointer?
    /// libpq's functions (none NULL once loaded).
    private let pq: kinora_pq_api

    /// libpq, loaded on first use: a daemon on SQLite never maps it.
    private static let library: Result<kinora_pq_api, SQLError> = {
        var reason = [CChar](repeating: 0, count: 256)
        guard let api = kinora_pq_load(&reason, reason.count) else {
            return .failure(.connection(String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)))
        }
        return .success(api.pointee)
    }()

    /// Connects with `url` (a `postgres://` URL or a libpq key=value string) and `options`
    /// (libpq keywords such as `options`, `connect_timeout`).
    init(url: String, options: [String: String]) throws {
        let pq = try Self.library.get()
        self.pq = pq
        var keywords = ["dbname"] + options.keys.sorted()
        var values = [url] + options.keys.sorted().map { options[$0] ?? "" }
        keywords.append("fallback_application_name")
        values.append("kinora")
        connection = Self.withCStrings(keywords) { keys in
            Self.withCStrings(values) { vals in
                // expand_dbname = 1: `dbname` may be a whole URL or connection string.
                pq.connectdb_params!(keys, vals, 1)
            }
        }
        guard pq.status!(connection) == CONNECTION_OK else {
            let message = Self.trimmed(pq.error_message!(connection))
            pq.finish!(connection)
            connection = nil
            throw SQLError.connection(message)
        }
    }

    deinit {
        pq.finish!(connection)
    }

    /// Whether the server went away (the pool drops such a connection rather than reuse it).
    var isBroken: Bool { pq.status!(connection) != CONNECTION_OK }

    /// The server's version number (150018 for 15.18).
    var serverVersion: Int { Int(pq.server_version!(connection)) }

    /// Runs one statement with `?` placeholders; returns its rows and how many rows it changed.
    func run(_ sql: String, _ arguments: [SQLValue]) throws -> (rows: [SQLRow], changed: Int) {
        let text = Self.numberedPlaceholders(sql)
        let parameters = arguments.map(PostgresParameter.init)
        let result: OpaquePointer? = Self.withParameters(parameters) { types, values, lengths, formats in
            pq.exec_params!(connection, text, Int32(parameters.count), types, values, lengths, formats, 0)
        }
        defer { pq.clear!(result) }
        switch pq.result_status!(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return ([], changedRows(result))
        case PGRES_TUPLES_OK:
            return (rows(result), changedRows(result))
        default:
            throw error(result)
        }
    }

    /// The connection's socket, to wait on for notifications.
    var socket: Int32 { pq.socket!(connection) }

    /// Reads what the server sent and returns the notifications among it (channel, payload);
    /// throws when the connection is gone.
    func notifications() throws -> [(channel: String, payload: String)] {
        guard pq.consume_input!(connection) == 1 else { throw SQLError.connection(Self.trimmed(pq.error_message!(connection))) }
        var received: [(String, String)] = []
        while let notice = pq.notifies!(connection) {
            received.append((String(cString: notice.pointee.relname), String(cString: notice.pointee.extra)))
            pq.freemem!(notice)
        }
        return received
    }

    /// Runs statements separated by semicolons, without parameters, in one implicit
    /// transaction (libpq's simple protocol): a migration's script.
    func runScript(_ sql: String) throws {
        let result = pq.exec!(connection, sql)
        defer { pq.clear!(result) }
        let status = pq.result_status!(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY else {
            let failure = error(result)
            // A script that opened a transaction and failed leaves it open and aborted: the
            // connection goes back to the pool clean.
            if pq.transaction_status!(connection) != PQTRANS_IDLE { pq.clear!(pq.exec!(connection, "ROLLBACK")) }
            throw failure
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

    private func changedRows(_ result: OpaquePointer?) -> Int {
        guard let tuples = pq.cmd_tuples!(result) else { return 0 }
        return Int(String(cString: tuples)) ?? 0
    }

    private func rows(_ result: OpaquePointer?) -> [SQLRow] {
        let count = Int(pq.ntuples!(result)), fields = Int(pq.nfields!(result))
        let columns = (0..<fields).map { Self.text(pq.fname!(result, Int32($0))) }
        let types = (0..<fields).map { pq.ftype!(result, Int32($0)) }
        var rows: [SQLRow] = []
        rows.reserveCapacity(count)
        for row in 0..<count {
            var values: [SQLValue] = []
            values.reserveCapacity(fields)
            for field in 0..<fields {
                if pq.getisnull!(result, Int32(row), Int32(field)) == 1 {
                    values.append(.null)
                    continue
                }
                let text = Self.text(pq.getvalue!(result, Int32(row), Int32(field)))
                values.append(PostgresType.value(text, type: types[field]))
            }
            rows.append(SQLRow(columns: columns, values: values))
        }
        return rows
    }

    /// The server's complaint as an ``SQLError``: class 23 (integrity) is a constraint,
    /// a lost connection a connection error; the SQLSTATE is kept for retries.
    private func error(_ result: OpaquePointer?) -> Error {
        let state = pq.result_error_field!(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
        let message = result.flatMap { pq.result_error_message!($0) }.map { Self.trimmed($0) } ?? Self.trimmed(pq.error_message!(connection))
        if pq.status!(connection) != CONNECTION_OK { return SQLError.connection(message) }
        if state == "23505" { return SQLError.unique(message) }
        if state.hasPrefix("23") { return SQLError.constraint(message) }
        if state == "40001" || state == "40P01" { return PostgresRetry(message: message) }
        return SQLError.statement(state.isEmpty ? message : "\(message) (SQLSTATE \(state))")
    }

    /// A C string libpq owns, copied ("" for NULL).
    static func text(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
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
