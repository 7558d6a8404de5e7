import GRDB

/// The daemon's database and its migrations. Each service adds its tables through
/// ``Migrations`` and reaches them only through its repository.
///
/// Two backends: SQLite (a file in the data folder, WAL mode; the appliance's default) and
/// PostgreSQL (several nodes over one server). Every repository runs its statements on ``sql``
/// and so on both; GRDB remains SQLite's driver and runs SQLite's migrations.
public final class KinoraDatabase: Sendable {
    private let pool: DatabasePool?
    private let backend: (any SQLDatabase)?
    /// The SQLite file, or the PostgreSQL server's address without its password.
    public let path: String
    /// Events between the nodes sharing this database (``start()``ed by the daemon).
    public let events: ClusterEvents
    /// Moves with every commit that changes what a listing shows (SQLite; nil on PostgreSQL).
    public let catalogChanges: CatalogChanges

    /// The SQLite pool, for its migrations.
    private var writer: DatabasePool {
        guard let pool else { preconditionFailure("the database at \(path) was never opened (a database made for listing routes)") }
        return pool
    }

    /// Statements for either backend.
    public var sql: any SQLDatabase {
        guard let backend else { preconditionFailure("the database at \(path) was never opened (a database made for listing routes)") }
        return backend
    }

    /// Which engine this is.
    public var dialect: SQLDialect { backend?.dialect ?? .sqlite }

    /// Opens (creating if needed) the database at `path`. Does not migrate.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        // DatabasePool always runs in WAL mode: readers never wait for the writer.
        let pool = try DatabasePool(path: path, configuration: configuration)
        self.pool = pool
        backend = SQLiteDatabase(pool: pool)
        self.path = path
        events = ClusterEvents(postgres: nil)
        catalogChanges = CatalogChanges(pool: pool)
    }

    /// A PostgreSQL database (connections open on first use). Does not migrate.
    public init(postgres: PostgresDatabase, address: String) {
        pool = nil
        backend = postgres
        path = address
        events = ClusterEvents(postgres: postgres)
        catalogChanges = CatalogChanges(pool: nil)
    }

    private init(unopened path: String) {
        pool = nil
        backend = nil
        self.path = path
        events = ClusterEvents(postgres: nil)
        catalogChanges = CatalogChanges(pool: nil)
    }

    /// A database object that opens nothing: what `kinora routes` hands the routes it lists
    /// so that listing leaves the data folder untouched. Using it traps.
    public static func unopened(path: String) -> KinoraDatabase {
        KinoraDatabase(unopened: path)
    }

    /// Applies every pending migration; returns the identifiers applied now.
    @discardableResult
    public func migrate() throws -> [String] {
        if let postgres = backend as? PostgresDatabase { return try PostgresMigrations.migrate(postgres) }
        let before = try writer.read { try Migrations.migrator.appliedIdentifiers($0) }
        try Migrations.migrator.migrate(writer)
        let after = try writer.read { try Migrations.migrator.appliedIdentifiers($0) }
        return Migrations.migrator.migrations.filter { after.contains($0) && !before.contains($0) }
    }

    /// Migrations not applied yet.
    public func pendingMigrations() throws -> [String] {
        if let postgres = backend as? PostgresDatabase { return try PostgresMigrations.pending(postgres) }
        let applied = try writer.read { try Migrations.migrator.appliedIdentifiers($0) }
        return Migrations.migrator.migrations.filter { !applied.contains($0) }
    }

    /// True when the database answers a query (for /readyz).
    public func isReachable() async -> Bool {
        (try? sql.read { try $0.scalar(Int.self, "SELECT 1") }) == 1
    }

    public var settings: SettingsRepository { SettingsRepository(db: sql) }
}
