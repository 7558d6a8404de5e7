import ArgumentParser
import Foundation
import KinoraHost
import KinoraServer

/// `kinora storage …`: moving media between storage instances, and S3 bucket setup.
struct StorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage", abstract: "Copy objects between storage instances; set up S3 buckets.",
        subcommands: [MigrateObjects.self, S3.self])

    /// Loads the plugins and starts only the named instances.
    static func start(_ options: ConfigOptions, _ names: [String]) throws -> (PluginRegistry, [StorageClient]) {
        let setup = try CLIError.wrap { try ResolvedSetup.resolve(options.daemonOptions) }
        let registry = Maintenance.registry(setup: setup)
        registry.loadModules(from: setup.pluginFolders)
        registry.createInstances(setup.instances.filter { names.contains($0.name) })
        registry.startAll()
        var clients: [StorageClient] = []
        for name in names {
            guard let client = registry.storage(named: name) else {
                let reason = registry.instance(named: name)?.lastError ?? "no enabled storage instance of that name in plugins.d"
                throw CLIError("\(name): \(reason)")
            }
            clients.append(client)
        }
        return (registry, clients)
    }

    struct MigrateObjects: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Copy every object of one storage instance to another, verifying each copy.",
            discussion: "Then point [media] storage at the new instance and restart the daemon.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "The instance to copy from.") var from: String
        @Option(help: "The instance to copy to.") var to: String
        @Flag(name: .customLong("skip-existing"), help: "Skip objects the target already has with the same size (to resume).")
        var skipExisting = false

        func run() async throws {
            guard from != to else { throw CLIError("--from and --to name the same instance") }
            let (registry, clients) = try StorageCommand.start(options, [from, to])
            let migration = StorageMigration(from: clients[0], to: clients[1], skipExisting: skipExisting)
            do {
                let copied = try await migration.run { p in
                    let percent = p.bytesTotal > 0 ? Int(p.bytesDone * 100 / p.bytesTotal) : 100
                    print("[\(p.index)/\(p.count)] \(percent)% \(p.skipped ? "skipped" : "copied") \(p.key) (\(p.size) bytes)")
                }
                print("migrated \(copied) object(s) from \(from) to \(to), each verified")
            } catch {
                await registry.stopAll()
                throw CLIError("migration stopped: \(error)")
            }
            await registry.stopAll()
        }
    }

    struct S3: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "s3", abstract: "S3 bucket setup.", subcommands: [CORS.self])

        struct CORS: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "cors",
                abstract: "Apply the bucket CORS rules a browser player needs for redirected segments.",
                discussion:
                    "GET and HEAD from the origins, Range and If-None-Match allowed, Content-Length, Content-Range, ETag and Accept-Ranges exposed.")

            @OptionGroup var options: ConfigOptions
            @Argument(help: "The S3 storage instance.") var instance: String
            @Option(name: .customLong("origin"), help: "An origin allowed to fetch segments (repeatable; default: server.public_url, else *).")
            var origins: [String] = []

            func run() async throws {
                let (registry, clients) = try StorageCommand.start(options, [instance])
                var allowed = origins
                if allowed.isEmpty {
                    let setup = try CLIError.wrap { try ResolvedSetup.resolve(options.daemonOptions) }
                    allowed = [setup.config.publicURL.map { Self.origin(of: $0) } ?? "*"]
                }
                do {
                    try clients[0].applyBucketCORS(origins: allowed)
                } catch {
                    await registry.stopAll()
                    throw CLIError("\(instance): \(error)")
                }
                print("\(instance): bucket CORS rules applied for \(allowed.joined(separator: ", "))")
                await registry.stopAll()
            }

            /// "https://video.example.org/some/path" -> "https://video.example.org".
            static func origin(of url: String) -> String {
                guard let scheme = url.range(of: "://") else { return url }
                let rest = url[scheme.upperBound...]
                return String(url[..<scheme.upperBound]) + String(rest.prefix { $0 != "/" })
            }
        }
    }
}
