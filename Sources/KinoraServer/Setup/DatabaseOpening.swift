import Foundation
import KinoraConfiguration
import KinoraStore

/// Opens the database kinora.toml names: the one place `serve`, `migrate` and every CLI
/// command that touches data get it from, so all of them work on PostgreSQL as on SQLite.
public enum DatabaseOpening {
    /// SQLite in the data folder (created if missing), or the `[database] url` server.
    /// Does not migrate; a PostgreSQL server is not contacted until the first statement.
    public static func open(_ config: KinoraConfig, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> KinoraDatabase
    {
        let settings = config.database
        guard let url = settings.url else {
            try Paths.makeDirectory(config.dataDir)
            return try KinoraDatabase(path: config.dataDir + "/kinora.sqlite")
        }
        let password = try settings.password(configFile: config.file ?? "kinora.toml", environment: environment)
        let postgres = PostgresDatabase(
            url: url, size: settings.poolSize, statementTimeout: settings.statementTimeoutSeconds, password: password,
            sslMode: settings.tls, sslRootCert: settings.caFile)
        return KinoraDatabase(postgres: postgres, address: settings.redactedURL ?? url)
    }
}
