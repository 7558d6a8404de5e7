import KinoraStore

extension PostgresServer {
    /// Another node on the same PostgreSQL database as `database`: its own pool, its own
    /// listener, as a second daemon would have.
    public static func reopenKinoraDatabase(like database: KinoraDatabase) throws -> KinoraDatabase {
        KinoraDatabase(postgres: PostgresDatabase(url: database.path, size: 4), address: database.path)
    }
}
