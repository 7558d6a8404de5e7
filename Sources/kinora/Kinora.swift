import ArgumentParser
import KinoraConfiguration
import KinoraHost
import KinoraServer

@main
struct Kinora: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kinora",
        abstract: "Kinora, a self-hosted video platform in one daemon.",
        version: kinoraVersion,
        subcommands: [
            Serve.self, Migrate.self, PluginCommand.self, ConfigCommand.self, StorageCommand.self, VideoCommand.self, UserCommand.self,
            RoutesCommand.self, Doctor.self, Version.self,
            DatabaseCommand.self, RecsCommand.self,
        ])
}

/// Options shared by every command that reads the configuration.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "Main config file (default: /etc/kinora/kinora.toml if it exists, else embedded defaults).")
    var config: String?

    @Option(name: .customLong("data-dir"), help: "Data folder (database, media, admin token); overrides [data] dir.")
    var dataDir: String?

    var daemonOptions: DaemonOptions { DaemonOptions(configPath: config, dataDir: dataDir) }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the daemon until SIGTERM or SIGINT.")

    @OptionGroup var options: ConfigOptions

    @Option(name: .long, help: "HOST:PORT to listen on (default 127.0.0.1:8420); overrides [server] listen.")
    var listen: String?

    @Option(name: .customLong("share-dir"), help: "Folder of templates, static files and the API spec.")
    var shareDir: String?

    func run() async throws {
        var daemon = options.daemonOptions
        daemon.listen = listen
        daemon.shareDir = shareDir
        do {
            try await Daemon.run(daemon)
        } catch let errors as ConfigErrors {
            throw CLIError(errors.description)
        } catch let error as SetupError {
            throw CLIError(error.description)
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let setup = try CLIError.wrap { try ResolvedSetup.resolve(options.daemonOptions) }
        let applied = try CLIError.wrap { try Maintenance.migrate(setup.config) }
        print(applied.isEmpty ? "database is up to date" : "applied: \(applied.joined(separator: ", "))")
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version and the plugin ABI version.")

    func run() {
        print("kinora \(kinoraVersion) (plugin ABI \(pluginABIVersion))")
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }

    static func wrap<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let errors as ConfigErrors {
            throw CLIError(errors.description)
        } catch {
            throw CLIError(String(describing: error))
        }
    }
}
