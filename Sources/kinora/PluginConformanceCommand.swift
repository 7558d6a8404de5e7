import ArgumentParser
import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraServer
import Logging

extension PluginCommand {
    struct Conformance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the storage conformance suite against a configured storage instance, which must be empty.")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The storage instance (plugins.d/<instance>.toml).") var instance: String
        @Option(
            name: .customLong("case"), help: "Run only these cases (repeatable): \(StorageConformance.cases.map(\.name).joined(separator: ", ")).")
        var cases: [String] = []

        func run() async throws {
            let setup = try CLIError.wrap { try ResolvedSetup.resolve(options.daemonOptions) }
            let registry = Maintenance.registry(setup: setup)
            registry.loadModules(from: setup.pluginFolders)
            registry.createInstances(setup.instances.filter { $0.name == instance })
            registry.startAll()
            guard let storage = registry.storage(named: instance) else {
                await registry.stopAll()
                throw CLIError("\(instance): no started storage instance of that name (see kinora plugin list)")
            }
            // The suite asserts exact listings: it needs a backend holding nothing else.
            if try await !storage.list(limit: 1).objects.isEmpty {
                await registry.stopAll()
                throw CLIError("\(instance): the instance is not empty; run the suite on an empty folder or bucket")
            }
            let unknown = Set(cases).subtracting(StorageConformance.cases.map(\.name))
            guard unknown.isEmpty else { throw CLIError("unknown case(s): \(unknown.sorted().joined(separator: ", "))") }
            var failed = 0
            for check in StorageConformance.cases where cases.isEmpty || cases.contains(check.name) {
                do {
                    try await check.run(storage)
                    print("✔ \(check.name): \(check.description)")
                } catch {
                    failed += 1
                    print("✘ \(check.name): \(check.description): \(error)")
                }
                // Leave the instance empty again for the next case.
                var cursor: String?
                repeat {
                    let page = try await storage.list(cursor: cursor)
                    for object in page.objects { try? await storage.remove(object.key) }
                    cursor = page.nextCursor
                } while cursor != nil
            }
            await registry.stopAll()
            if failed > 0 { throw CLIError("\(failed) conformance case(s) failed") }
        }
    }
}
