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

/// Minimal video rows (no tags, search entry or job), for repository tests on both engines
/// that need a video to hang their rows on and nothing more.
public enum TestVideos {
    public static func insert(_ database: KinoraDatabase, ids: [String], now: Date = Date()) throws {
        try database.sql.write { db in
            for id in ids {
                try db.execute(
                    "INSERT INTO videos(id, title, visibility, status, original_size, duration, created_at, updated_at, listed_at) VALUES (?, ?, 'public', 'processing', 1, 2, ?, ?, ?)",
                    [id, id.uppercased(), now, now, now])
            }
        }
    }

    @discardableResult
    public static func delete(_ database: KinoraDatabase, _ id: String) throws -> Bool {
        try database.sql.write { try $0.execute("DELETE FROM videos WHERE id = ?", [id]) } > 0
    }
}
