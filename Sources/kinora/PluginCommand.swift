import ArgumentParser
import Foundation
import KinoraCore
import KinoraConfiguration
import KinoraHost
import KinoraServer
import Logging

struct PluginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin", abstract: "Inspect plugin modules.",
        subcommands: [List.self, Check.self, Conformance.self, Classify.self, Inspect.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every installed module and the configured instances; exit 1 if a module is refused or an instance fails.",
            discussion: """
                Modules are inspected in a child process, as `kinora serve` does; only the modules an instance \
                uses are loaded and started here.
                """)

        @OptionGroup var options: ConfigOptions
        @Flag(help: "Print JSON (the same document as GET /api/v1/plugins).") var json = false

        func run() async throws {
            let setup = try CLIError.wrap { try ResolvedSetup.resolve(options.daemonOptions) }
            let registry = Maintenance.registry(setup: setup)
            registry.discoverModules(
                from: setup.pluginFolders, inspector: ChildProcessInspector(executable: "/proc/self/exe", secretFolders: setup.secretFolders))
            registry.createInstances(setup.instances)
            registry.recordInstanceErrors(setup.instanceErrors + setup.crossCheck(registry))
            registry.startAll()
            if json {
                let data = try JSONSerialization.data(withJSONObject: PluginReport.make(registry), options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                printListing(registry, setup: setup)
            }
            let problems = Self.problems(registry)
            await registry.stopAll()
            // A script or a package hook running `kinora plugin list` learns from the exit status that
            // the daemon would start degraded, and from stderr why.
            if !problems.isEmpty { throw CLIError(problems.joined(separator: "\n")) }
        }

        func printListing(_ registry: PluginRegistry, setup: ResolvedSetup) {
            print("Modules (searched: \(setup.pluginFolders.joined(separator: ", "))):")
            for module in registry.installedModules {
                let loaded = registry.isLoaded(module.path) ? "loaded" : "not loaded (no instance uses it)"
                print("  \(module.path)  ABI \(module.abi)  \(loaded)")
                for plugin in module.plugins {
                    print("    \(plugin.id) \(plugin.version ?? "")  \(plugin.name)  [\(plugin.interfaces.joined(separator: ", "))]")
                }
            }
            for failure in registry.moduleFailures { print("  REFUSED \(failure.reason)") }
            print("Instances (\(setup.source)):")
            for instance in registry.instances {
                print("  \(instance.name)  \(instance.pluginID)  \(instance.state.rawValue)\(instance.lastError.map { "  (\($0))" } ?? "")")
            }
            for error in registry.instanceErrors { print("  ERROR \(error.description)") }
        }

        /// Why the daemon would not be fully ready with these plugins, one line each.
        static func problems(_ registry: PluginRegistry) -> [String] {
            var problems = registry.moduleFailures.map { "module refused: \($0.reason)" }
            for instance in registry.instances where instance.state == .failed {
                problems.append("instance \(instance.name) failed to start: \(instance.lastError ?? "no message")")
            }
            problems += registry.instanceErrors.map { "instance refused: \($0.description)" }
            return problems
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Load one module file and print its descriptors, or why it is refused.")

        @Argument(help: "The .so file to check.") var file: String

        func run() throws {
            // The refusal is this command's output; the registry's own log line would repeat it.
            let registry = Maintenance.registry(logLevel: .critical)
            do {
                let module = try registry.loadModule(at: file)
                print("\(module.path): OK, plugin ABI \(module.abi)")
                for plugin in module.plugins {
                    print("  id:          \(plugin.id)")
                    print("  name:        \(plugin.name)")
                    if let version = plugin.version { print("  version:     \(version)") }
                    if let vendor = plugin.vendor { print("  vendor:      \(vendor)") }
                    if let description = plugin.description { print("  description: \(description)") }
                    print("  interfaces:  \(plugin.interfaces.joined(separator: ", "))")
                    print("  settings:    \(plugin.configSchemaJSON == nil ? "none" : "JSON Schema")")
                    for line in Self.settingLines(schemaJSON: plugin.configSchemaJSON) { print("    \(line)") }
                }
            } catch {
                throw CLIError(error.description)
            }
        }

        /// One line per top-level setting: `name: type (required)` or `name: type = default`, then
        /// the description. Required settings come first: they are what a plugins.d file must hold.
        static func settingLines(schemaJSON: String?) -> [String] {
            guard let schemaJSON, let schema = try? JSONValue(parsing: schemaJSON), let properties = schema["properties"]?.objectValue else {
                return []
            }
            let required = Set((schema["required"]?.arrayValue ?? []).compactMap(\.stringValue))
            let keys = properties.keys.sorted { (required.contains($0) ? 0 : 1, $0) < (required.contains($1) ? 0 : 1, $1) }
            return keys.map { key in
                let property = properties[key]
                let type = property?["type"]?.stringValue ?? "any"
                var line = "\(key): \(type)"
                if required.contains(key) { line += " (required)" }
                if let value = property?["default"] { line += " = \(value.jsonString)" }
                if let description = property?["description"]?.stringValue { line += "  — \(description)" }
                return line
            }
        }
    }

    /// `kinora serve` and `kinora plugin list` run this in a child to learn what each module
    /// offers without mapping it themselves (see ChildProcessInspector). Not for people.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the descriptors of module files as JSON (used by the daemon).", shouldDisplay: false)

        @Flag(help: "Print JSON (the only format).") var json = false
        @Option(name: .customLong("secret-folder"), help: "A folder of secrets the modules may read.") var secretFolders: [String] = []
        @Argument(help: "The .so files to inspect.") var files: [String] = []

        func run() throws {
            // A module may print while it loads; only the JSON goes to the real stdout.
            let answer = dup(STDOUT_FILENO)
            dup2(STDERR_FILENO, STDOUT_FILENO)
            var logger = Logger(label: "kinora.inspect") { StreamLogHandler.standardError(label: $0) }
            logger.logLevel = .critical
            let environment = HostEnvironment(logger: logger, version: kinoraVersion, secrets: SecretStore(folders: secretFolders))
            let results = files.map { ModuleInspection.inspectHere(path: $0, environment: environment) }
            let data = try JSONEncoder().encode(results)
            let handle = FileHandle(fileDescriptor: answer, closeOnDealloc: true)
            handle.write(data)
        }
    }
}

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Validate configuration.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate kinora.toml and every plugins.d/*.toml against the plugins' schemas; exit 1 on any problem.")

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let setup = try CLIError.wrap { try ResolvedSetup.resolve(options.daemonOptions) }
            let registry = Maintenance.registry(logLevel: .critical, setup: setup)
            registry.loadModules(from: setup.pluginFolders)
            var problems = setup.instanceErrors.map(\.description)
            problems += registry.moduleFailures.map(\.reason)
            // Creating (not starting) each instance lets the plugin check what a schema cannot,
            // such as a regular expression that does not compile; nothing touches the backend.
            problems += registry.createInstances(setup.instances).map(\.description)
            problems += setup.crossCheck(registry).map(\.description)
            // Without a packager every upload would end unplayable: an error, with the fix.
            if let packager = setup.packagerCheck(registry) { problems.append(packager.description) }
            // Message templates: the operator's and the bundled ones, each problem with its file and line.
            for folder in [setup.config.notifications.templates, setup.shareDir.map { $0 + "/notifications" }].compactMap({ $0 }) {
                problems += NotificationTemplates.problems(in: folder)
            }
            await registry.stopAll()
            if problems.isEmpty {
                print("\(setup.source): OK (\(setup.instances.count) plugin instances)")
            } else {
                throw CLIError(problems.joined(separator: "\n"))
            }
        }
    }
}
