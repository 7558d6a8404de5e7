import GRDB

/// The daemon's SQLite database (WAL mode) and its migrations. Each service adds its tables
/// through ``Migrations`` and reaches them only through its repository.
public final class KinoraDatabase: Sendable {
    private let pool: DatabasePool?
    public let path: String

    public var writer: DatabasePool {
        guard let pool else { preconditionFailure("the database at \(path) was never opened (a database made for listing routes)") }
        return pool
    }

    /// Opens (creating if needed) the database at `path`. Does not migrate.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        // DatabasePool always runs in WAL mode: readers never wait for the writer.
        pool = try DatabasePool(path: path, configuration: configuration)
        self.path = path
    }

    private init(unopened path: String) {
        pool = nil
        self.path = path
    }

    /// A database object that opens nothing: what `kinora routes` hands the routes it lists
    /// so that listing leaves the data folder untouched. Using it traps.
    public static func unopened(path: String) -> KinoraDatabase {
        KinoraDatabase(unopened: path)
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
