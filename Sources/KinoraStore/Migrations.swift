import GRDB

/// Versioned schema changes, applied in order at start and by `kinora migrate`. Released
/// migrations are never edited: a change is a new migration.
enum Migrations {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("0001-settings") { db in
            try db.create(table: "settings") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
                t.column("updated_at", .datetime).notNull().defaults(sql: "CURRENT_TIMESTAMP")
            }
        }
        return migrator
    }()
}
