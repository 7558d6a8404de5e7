import GRDB

/// The daemon's SQLite database (WAL mode) and its migrations. Each service adds its tables
/// through ``Migrations`` and reaches them only through its repository.
public final class KinoraDatabase: Sendable {
    public let writer: DatabasePool
    public let path: String

    /// Opens (creating if needed) the database at `path`. Does not migrate.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        // DatabasePool always runs in WAL mode: readers never wait for the writer.
        writer = try DatabasePool(path: path, configuration: configuration)
        self.path = path
    }

    /// Applies every pending migration; returns the identifiers applied now.
    @discardableResult
    public func migrate() throws -> [String] {
        let before = try writer.read { try Migrations.migrator.appliedIdentifiers($0) }
        try Migrations.migrator.migrate(writer)
        let after = try writer.read { try Migrations.migrator.appliedIdentifiers($0) }
        return Migrations.migrator.migrations.filter { after.contains($0) && !before.contains($0) }
    }

    /// Migrations not applied yet.
    public func pendingMigrations() throws -> [String] {
        let applied = try writer.read { try Migrations.migrator.appliedIdentifiers($0) }
        return Migrations.migrator.migrations.filter { !applied.contains($0) }
    }

    /// True when the database answers a query (for /readyz).
    public func isReachable() async -> Bool {
        (try? await writer.read { try Int.fetchOne($0, sql: "SELECT 1") }) == 1
    }

    public var settings: SettingsRepository { SettingsRepository(writer: writer) }
}
