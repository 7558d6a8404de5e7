import ArgumentParser
import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraServer
import Logging

struct PluginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin", abstract: "Inspect plugin modules.", subcommands: [List.self, Check.self, Conformance.self, Classify.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load every module in the plugin folders and list them with the configured instances.")

        @OptionGroup var options: ConfigOptions
        @Flag(help: "Print JSON (the same document as GET /api/v1/plugins).") var json = false

        func run() async throws {
            let setup = try CLIError.wrap { try ResolvedSetup.resolve(options.daemonOptions) }
            let registry = Maintenance.registry(setup: setup)
            registry.loadModules(from: setup.pluginFolders)
            registry.createInstances(setup.instances)
            registry.startAll()
            if json {
                let data = try JSONSerialization.data(withJSONObject: PluginReport.make(registry), options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
                await registry.stopAll()
                return
            }
            print("Modules (searched: \(setup.pluginFolders.joined(separator: ", "))):")
            for module in registry.modules {
                print("  \(module.path)  ABI \(module.abi)")
                for plugin in module.plugins {
                    print("    \(plugin.id) \(plugin.version ?? "")  \(plugin.name)  [\(plugin.interfaces.joined(separator: ", "))]")
                }
            }
            for failure in registry.moduleFailures { print("  REFUSED \(failure.reason)") }
            print("Instances (\(setup.source)):")
            for instance in registry.instances {
                print("  \(instance.name)  \(instance.pluginID)  \(instance.state.rawValue)\(instance.lastError.map { "  (\($0))" } ?? "")")
            }
            for error in setup.instanceErrors + registry.instanceErrors { print("  ERROR \(error.description)") }
            await registry.stopAll()
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
                    if let schema = plugin.configSchemaJSON, let value = try? JSONValue(parsing: schema),
                        let properties = value["properties"]?.objectValue
                    {
                        for key in properties.keys.sorted() {
                            let property = properties[key]
                            let type = property?["type"]?.stringValue ?? "any"
                            let defaultValue = property?["default"].map { " = \($0.jsonString)" } ?? ""
                            print("    \(key): \(type)\(defaultValue)\(property?["description"]?.stringValue.map { "  — \($0)" } ?? "")")
                        }
                    }
                }
            } catch {
                throw CLIError(error.description)
            }
        }
    }
}

extension PluginCommand {
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
            await registry.stopAll()
            if problems.isEmpty {
                print("\(setup.source): OK (\(setup.instances.count) plugin instances)")
            } else {
                throw CLIError(problems.joined(separator: "\n"))
            }
        }
    }
}
