import KinoraConfiguration
import KinoraHost

#if canImport(Glibc)
import Glibc
#endif

/// Command-line overrides, applied on top of the config file (or the embedded defaults).
public struct DaemonOptions: Sendable {
    public var configPath: String?
    public var dataDir: String?
    public var listen: String?
    public var shareDir: String?
    /// Print the routes (`METHOD /path`, one per line) and exit, without opening the database
    /// or loading plugins: what `kinora routes` shows and the API spec test compares with
    /// share/openapi.yaml.
    public var listRoutes = false

    public init(configPath: String? = nil, dataDir: String? = nil, listen: String? = nil, shareDir: String? = nil) {
        self.configPath = configPath
        self.dataDir = dataDir
        self.listen = listen
        self.shareDir = shareDir
    }

    public static let systemConfigPath = "/etc/kinora/kinora.toml"
}

/// The configuration the daemon and the CLI act on, with every lookup resolved.
public struct ResolvedSetup: Sendable {
    public var config: KinoraConfig
    public var instances: [InstanceConfig]
    public var instanceErrors: [ConfigError]
    public var pluginFolders: [String]
    public var shareDir: String?
    /// Where the configuration came from, for logs and `kinora config check`.
    public var source: String

    /// Lookup order: `--config`, then /etc/kinora/kinora.toml, then embedded defaults.
    /// Instances come from `plugins.d/` beside the config file, else the embedded defaults.
    public static func resolve(_ options: DaemonOptions) throws(ConfigErrors) -> ResolvedSetup {
        var config: KinoraConfig
        if let path = options.configPath {
            config = try KinoraConfig.load(path)
        } else if access(DaemonOptions.systemConfigPath, F_OK) == 0 {
            config = try KinoraConfig.load(DaemonOptions.systemConfigPath)
        } else {
            config = KinoraConfig()
        }
        if let dataDir = options.dataDir { config.dataDir = dataDir }
        if let listen = options.listen {
            guard let (host, port) = KinoraConfig.splitHostPort(listen) else {
                throw ConfigErrors([ConfigError(file: "--listen", "expected HOST:PORT, found \"\(listen)\"")])
            }
            config.listenHost = host
            config.listenPort = port
        }
        config.dataDir = Paths.absolute(config.dataDir)
        // The operator's message templates sit beside the configuration (/etc/kinora/templates).
        if config.notifications.templates == nil, let file = config.file {
            let folder = file.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
            config.notifications.templates = (folder.isEmpty ? "." : folder) + "/templates"
        }

        var instances = DefaultInstances.make(dataDir: config.dataDir)
        var errors: [ConfigError] = []
        if let folder = config.pluginsDirectory, Paths.isDirectory(folder) {
            (instances, errors) = InstanceConfig.loadFolder(folder)
        }
        let exeDir = Paths.executableDirectory()
        // Installed, <exe>/../lib/kinora/plugins is the one built-in folder: /usr/bin is not
        // scanned (Debian's /usr/bin/ld.so, a link to the dynamic loader, would be listed as
        // a refused module). Development builds have no such folder and find the plugins
        // SwiftPM puts beside the executable.
        let installed = exeDir + "/../lib/kinora/plugins"
        let folders = config.pluginFolders.map(Paths.absolute) + (Paths.isDirectory(installed) ? [installed] : [exeDir, installed])
        return ResolvedSetup(
            config: config, instances: instances, instanceErrors: errors, pluginFolders: folders,
            shareDir: Paths.shareDirectory(override: options.shareDir, executableDirectory: exeDir),
            source: config.file ?? "embedded defaults")
    }

    /// Where plugins' secrets are read from: `[secrets] folders`, else /etc/kinora/secrets.
    public var secretFolders: [String] {
        config.secretFolders.isEmpty ? ["/etc/kinora/secrets"] : config.secretFolders
    }

    /// Problems a running daemon would have with this setup that the files alone do not show.
    public func crossCheck(_ registry: PluginRegistry) -> [ConfigError] {
        let file = config.file ?? "embedded defaults"
        guard let media = instances.first(where: { $0.name == config.mediaStorage && $0.enabled }) else {
            return [ConfigError(file: file, key: "media.storage", "no enabled plugin instance named \"\(config.mediaStorage)\"")]
        }
        let plugin = registry.installedModules.flatMap(\.plugins).first { $0.id == media.pluginID }
        if let plugin, !plugin.interfaces.contains("kinora.storage/1") {
            return [ConfigError(file: file, key: "media.storage", "instance \"\(media.name)\" (\(media.pluginID)) is not a storage plugin")]
        }
        return []
    }
}

/// With no plugins.d folder, the bundled plugins run with these settings.
public enum DefaultInstances {
    public static func make(dataDir: String) -> [InstanceConfig] {
        [
            InstanceConfig(name: "media", pluginID: "org.kinora.storage-local", settings: .object(["root": .string(dataDir + "/media")])),
            InstanceConfig(name: "wordlist", pluginID: "org.kinora.moderation-wordlist", settings: .object([:])),
            InstanceConfig(name: "hls", pluginID: "org.kinora.packager-hls"),
            InstanceConfig(name: "dash", pluginID: "org.kinora.packager-dash"),
        ]
    }
}
