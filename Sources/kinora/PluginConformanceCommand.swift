import ArgumentParser
import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraPluginABI
import KinoraPluginConformance
import KinoraServer
import Logging

extension PluginCommand {
    struct Conformance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the conformance suite of every interface a configured instance implements (storage, packager, moderation, moderation feedback, notify).",
            discussion: "A storage instance must be empty: the suite writes, lists and removes objects and leaves it empty again.")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The instance (plugins.d/<instance>.toml).") var instance: String
        @Option(
            name: .customLong("case"),
            help:
                ArgumentHelp(stringLiteral: "Run only these cases (repeatable): " + Self.caseNames + ".")
        )
        var cases: [String] = []

        static let caseNames = KinoraPluginConformance.Conformance.suites.flatMap(\.cases).map(\.name).joined(separator: ", ")

        func run() async throws {
            let (registry, started) = try await PluginCommand.startInstance(instance, options: options)
            let plugin = PluginUnderTest(started.rawPlugin)
            let available = KinoraPluginConformance.Conformance.cases(for: plugin)
            guard !available.isEmpty else {
                await registry.stopAll()
                let declared = started.descriptor.interfaces.joined(separator: ", ")
                throw CLIError("\(instance): \(started.pluginID) implements no interface with a conformance suite (it declares \(declared))")
            }
            let unknown = Set(cases).subtracting(available.map(\.name))
            guard unknown.isEmpty else {
                await registry.stopAll()
                throw CLIError(
                    "\(instance): unknown case(s) \(unknown.sorted().joined(separator: ", ")); "
                        + "this instance has \(available.map(\.name).joined(separator: ", "))"
                )
            }
            // The storage suite asserts exact listings: it needs a backend holding nothing else.
            let storage = started.implements(KN_STORAGE_ID) ? try StorageDriver(plugin) : nil
            if let storage, try !storage.list(limit: 1).objects.isEmpty {
                await registry.stopAll()
                throw CLIError("\(instance): the instance is not empty; run the suite on an empty folder or bucket")
            }
            var failed = 0
            var interface = ""
            for check in available where cases.isEmpty || cases.contains(check.name) {
                if check.interface != interface {
                    interface = check.interface
                    print("\(interface) (\(instance), \(started.pluginID))")
                }
                do {
                    try await check.run(plugin)
                    print("✔ \(check.name): \(check.summary)")
                } catch {
                    failed += 1
                    print("✘ \(check.name): \(check.summary): \(error)")
                }
                // Leave the instance empty again for the next case.
                if check.interface == KN_STORAGE_ID { try? storage?.removeEverything() }
            }
            await registry.stopAll()
            if failed > 0 { throw CLIError("\(instance): \(failed) conformance case(s) failed") }
        }
    }
}

extension PluginCommand {
    /// Creates and starts the one instance `name` of the configuration, or explains why not.
    static func startInstance(_ name: String, options: ConfigOptions) async throws -> (PluginRegistry, PluginInstance) {
        let setup = try CLIError.wrap { try ResolvedSetup.resolve(options.daemonOptions) }
        let registry = Maintenance.registry(setup: setup)
        registry.loadModules(from: setup.pluginFolders)
        let errors = registry.createInstances(setup.instances.filter { $0.name == name })
        registry.startAll()
        guard let instance = registry.instance(named: name) else {
            await registry.stopAll()
            let known = setup.instances.map(\.name).sorted().joined(separator: ", ")
            let why = (setup.instanceErrors + errors).map(\.description).filter { $0.contains(name) }.joined(separator: "; ")
            throw CLIError("\(name): no instance of that name (configured: \(known.isEmpty ? "none" : known))\(why.isEmpty ? "" : "; \(why)")")
        }
        guard instance.state == .started else {
            await registry.stopAll()
            throw CLIError("\(name): the instance did not start\(instance.lastError.map { ": \($0)" } ?? "")")
        }
        return (registry, instance)
    }
}
