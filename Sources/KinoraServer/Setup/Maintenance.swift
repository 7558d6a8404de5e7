import KinoraConfiguration
import KinoraHost
import KinoraPluginABI
import KinoraStore
import Logging

/// What the CLI's one-shot commands need without running the server.
public enum Maintenance {
    public static func migrate(_ config: KinoraConfig) throws -> [String] {
        try DatabaseOpening.open(config).migrate()
    }

    /// A registry whose plugin log lines go to stderr only at warning and above, so command
    /// output stays readable.
    public static func registry(logLevel: Logger.Level = .warning, setup: ResolvedSetup? = nil) -> PluginRegistry {
        var logger = Logger(label: "kinora") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = logLevel
        let secrets = SecretStore(folders: setup?.secretFolders ?? [])
        return PluginRegistry(environment: HostEnvironment(logger: logger, version: kinoraVersion, secrets: secrets), workerThreads: 2)
    }
}

/// "1.0": the plugin ABI this daemon speaks.
public let pluginABIVersion = "\(KN_ABI_MAJOR).\(KN_ABI_MINOR)"
