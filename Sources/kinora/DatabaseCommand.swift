import ArgumentParser
import Foundation
import KinoraConfiguration
import KinoraServer
import KinoraStore

struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Move the database between engines.", subcommands: [MigrateToPostgres.self])

    struct MigrateToPostgres: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate-to-postgres",
            abstract: "Copy this install's SQLite database (<data-dir>/kinora.sqlite) into an empty PostgreSQL database. Stop the daemon first.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "The PostgreSQL database to fill: postgres://USER@HOST:PORT/DATABASE (libpq's form; ?sslmode=… may follow).")
        var url: String
        @Option(
            name: .customLong("password-file"),
            help: "A file whose first line is the password (else KINORA_DATABASE_PASSWORD, else PGPASSWORD or ~/.pgpass).")
        var passwordFile: String?
        @Flag(help: "Empty what an earlier, unfinished copy wrote into the target and start over (a target with rows of its own is still refused).")
        var restart = false

        func validate() throws {
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                throw ValidationError("--url must be a postgres:// URL, not \"\(url)\"")
            }
        }

        /// Straight to standard output, unbuffered: an operator watching a long copy sees each
        /// table as it is done, also through a pipe or a log.
        func say(_ line: String) {
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }

        func run() async throws {
            let setup = try CLIError.wrap { try ResolvedSetup.resolve(options.daemonOptions) }
            let path = setup.config.dataDir + "/kinora.sqlite"
            guard FileManager.default.fileExists(atPath: path) else {
                throw CLIError("no SQLite database at \(path): nothing to copy (is --data-dir or [data] dir right?)")
            }
            var settings = DatabaseConfig()
            settings.url = url
            settings.passwordFile = passwordFile
            let password = try CLIError.wrap {
                try settings.password(configFile: "--password-file", environment: ProcessInfo.processInfo.environment)
            }
            let address = settings.redactedURL ?? url
            // One connection, and no statement timeout worth the name: a table's batches and
            // its read-back may run long on a large install.
            let postgres = PostgresDatabase(url: url, size: 1, statementTimeout: 86_400, password: password)
            let target = KinoraDatabase(postgres: postgres, address: address)
            let source = try CLIError.wrap { try KinoraDatabase(path: path) }
            say("copying \(path) to \(address); the daemon must be stopped (what it writes meanwhile is not copied)")
            let clock = ContinuousClock()
            let started = clock.now
            let tables = try CLIError.wrap {
                try PostgresCopy(from: source, to: target).run(restart: restart) { table in
                    say("\(table.table): \(table.rows) rows in \(String(format: "%.2f", table.seconds)) s, checksum \(table.checksum)")
                }
            }
            let elapsed = clock.now - started
            let rows = tables.reduce(0) { $0 + $1.rows }
            say(
                "copied \(tables.count) tables, \(rows) rows, in \(String(format: "%.1f", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)) s: "
                    + "every table's row count and checksum match SQLite's")
            say("")
            say("To run on PostgreSQL, put this in kinora.toml and start the daemon:")
            say("")
            say("[database]")
            say("url = \"\(address)\"")
            if let passwordFile {
                say("password_file = \"\(passwordFile)\"")
            } else if address != url {
                say("# keep the password out of the URL: password_file = \"/etc/kinora/secrets/database-password\"")
            }
        }
    }
}
