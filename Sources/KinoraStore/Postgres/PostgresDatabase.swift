import Foundation

/// The PostgreSQL backend of ``SQLDatabase``: a pool of libpq connections (at most `size`
/// open; a caller waits for a free one), each in UTC with a statement timeout. A write is one
/// transaction, run again (up to 3 times) when the server reports a serialization failure or
/// a deadlock; a broken connection is dropped from the pool and the next caller opens anew.
public final class PostgresDatabase: SQLDatabase, @unchecked Sendable {
    public let size: Int
    private let url: String
    private let options: [String: String]
    // Guards `idle` and `open`; waiters sleep on it until a connection comes back.
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var open = 0

    public var dialect: SQLDialect { .postgres }

    /// - Parameters:
    ///   - url: `postgres://user@host:port/database?sslmode=require`, or libpq's key=value form;
    ///     the password may come from `PGPASSWORD` or `~/.pgpass`, as for every libpq client.
    ///   - size: Connections at most.
    ///   - statementTimeout: Seconds a statement may run before the server cancels it.
    ///   - password: Overrides a password in `url` (kinora.toml keeps it in a file instead).
    ///   - sslMode: libpq's `sslmode`; nil leaves libpq's default (`prefer`) or the URL's.
    ///   - sslRootCert: The CA file for `verify-ca` and `verify-full`.
    public init(
        url: String, size: Int = 8, statementTimeout: Double = 30, connectTimeout: Int = 10, password: String? = nil,
        sslMode: String? = nil, sslRootCert: String? = nil
    ) {
        self.url = url
        self.size = max(1, size)
        var options = [
            "options": "-c TimeZone=UTC -c statement_timeout=\(Int(statementTimeout * 1000))",
            "connect_timeout": String(connectTimeout),
        ]
        options["password"] = password
        options["sslmode"] = sslMode
        options["sslrootcert"] = sslRootCert
        self.options = options
    }

    public func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try withConnection { try body(PostgresSQLConnection(connection: $0)) }
    }

    @discardableResult
    public func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try withConnection { connection in
                    _ = try connection.run("BEGIN", [])
                    do {
                        let result = try body(PostgresSQLConnection(connection: connection))
                        _ = try connection.run("COMMIT", [])
                        return result
                    } catch {
                        if !connection.isBroken { _ = try? connection.run("ROLLBACK", []) }
                        throw error
                    }
                }
            } catch let retry as PostgresRetry {
                if attempt >= 3 { throw SQLError.statement("gave up after \(attempt) attempts: \(retry.message)") }
            }
        }
    }

    /// Runs statements at once, without parameters and outside ``write(_:)``'s transaction:
    /// a migration's script, or a statement PostgreSQL refuses in a transaction
    /// (`CREATE DATABASE`).
    public func runScript(_ sql: String) throws {
        try withConnection { try $0.runScript(sql) }
    }

    /// The server's version number (150018 for 15.18).
    public func serverVersion() throws -> Int {
        try withConnection { $0.serverVersion }
    }

    /// A connection of its own, outside the pool: the one a LISTEN holds for good, named so an
    /// operator tells it apart in `pg_stat_activity`.
    func dedicatedConnection(applicationName: String) throws -> PostgresConnection {
        var options = options
        options["application_name"] = applicationName
        return try PostgresConnection(url: url, options: options)
    }

    private func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try take()
        defer { giveBack(connection) }
        return try body(connection)
    }

    private func take() throws -> PostgresConnection {
        condition.lock()
        while idle.isEmpty && open >= size { condition.wait() }
        if let connection = idle.popLast() {
            condition.unlock()
            return connection
        }
        open += 1
        condition.unlock()
        do {
            return try PostgresConnection(url: url, options: options)
        } catch {
            condition.lock()
            open -= 1
            condition.signal()
            condition.unlock()
            throw error
        }
    }

    private func giveBack(_ connection: PostgresConnection) {
        condition.lock()
        if connection.isBroken { open -= 1 } else { idle.append(connection) }
        condition.signal()
        condition.unlock()
    }
}

/// ``SQLConnection`` over one pooled libpq connection.
struct PostgresSQLConnection: SQLConnection {
    /// The server runs the statements, in processes of its own.
    func yieldingCPU<T>(_ body: () throws -> T) throws -> T { try body() }

    let connection: PostgresConnection

    var dialect: SQLDialect { .postgres }

    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        try connection.run(sql, arguments).changed
    }

    func fetchAll(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        try connection.run(sql, arguments).rows
    }
}
