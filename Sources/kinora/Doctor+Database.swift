import Foundation
import KinoraConfiguration
import KinoraServer
import KinoraStore

extension Doctor {
    /// The oldest PostgreSQL the schema is written for (generated columns, `citext` trusted).
    static let minimumPostgres = 150000
    /// Extensions the PostgreSQL schema creates.
    static let requiredExtensions = ["citext"]

    /// Prints the database line(s); returns the problems found.
    static func checkDatabase(_ config: KinoraConfig) -> [String] {
        guard config.database.isPostgres else {
            let path = config.dataDir + "/kinora.sqlite"
            if FileManager.default.fileExists(atPath: path) {
                let pending = (try? KinoraDatabase(path: path).pendingMigrations()) ?? []
                print("database:  \(path)" + (pending.isEmpty ? "" : " (\(pending.count) migration(s) pending: applied at start)"))
            } else {
                print("database:  \(path) (created at first start)")
            }
            return []
        }
        let address = config.database.redactedURL ?? "?"
        do {
            let database = try DatabaseOpening.open(config)
            let (version, available) = try database.sql.read { db in
                let version = try db.scalar(Int.self, "SELECT current_setting('server_version_num')::int") ?? 0
                let names = try db.fetchAll("SELECT name FROM pg_available_extensions").compactMap { $0["name"] as String? }
                return (version, Set(names))
            }
            let pending = try database.pendingMigrations()
            print(
                "database:  PostgreSQL \(version / 10000).\(version % 10000) at \(address)"
                    + (pending.isEmpty ? "" : " (\(pending.count) migration(s) pending: applied at start)"))
            var problems: [String] = []
            if version < minimumPostgres { problems.append("PostgreSQL \(version / 10000) is older than 15, the oldest Kinora supports") }
            for name in requiredExtensions where !available.contains(name) {
                problems.append("the PostgreSQL extension \(name) is not available on the server (Debian: postgresql-contrib)")
            }
            return problems
        } catch {
            print("database:  PostgreSQL at \(address): \(error)")
            return ["cannot use the database at \(address): \(error)"]
        }
    }
}
