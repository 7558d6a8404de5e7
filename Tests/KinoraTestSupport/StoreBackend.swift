import Foundation
import KinoraStore

/// The two engines every repository test runs on (issue 17): SQLite in a temporary folder, and
/// a fresh database on the shared ``PostgresServer``.
///
/// ```swift
/// @Test(arguments: StoreBackend.allCases)
/// func settingsRoundTrip(_ backend: StoreBackend) throws {
///     let database = try backend.makeDatabase("settings")
///     try database.migrate()
/// }
/// ```
public enum StoreBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// A new, empty database (not migrated). SQLite files live in a temporary folder that the
    /// test environment's cleanup removes; PostgreSQL databases with the server.
    public func makeDatabase(_ label: String) throws -> KinoraDatabase {
        switch self {
        case .sqlite:
            let dir = try TestEnvironment.makeTemporaryDirectory("store-\(label)")
            return try KinoraDatabase(path: dir + "/kinora.sqlite")
        case .postgres:
            return try PostgresServer.makeKinoraDatabase(label)
        }
    }
}
