import ArgumentParser
import Foundation
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraServer
import KinoraStore

/// `kinora doctor`: what this machine and configuration give the daemon.
struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report FFmpeg versions, encoders, plugins, database and free disk; exit 1 when something the daemon needs is missing.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        var problems: [String] = []
        let setup = try CLIError.wrap { try ResolvedSetup.resolve(options.daemonOptions) }
        print("kinora \(kinoraVersion), plugin ABI \(pluginABIVersion)")
        print("config:    \(setup.source)")
        print("data:      \(setup.config.dataDir)")

        problems += Self.checkDatabase(setup.config)
        let probePath = FileManager.default.fileExists(atPath: setup.config.dataDir) ? setup.config.dataDir : "."
        if let attributes = try? FileManager.default.attributesOfFileSystem(forPath: probePath),
            let free = (attributes[.systemFreeSize] as? NSNumber)?.int64Value
        {
            print(
                "free disk: \(free >> 30) GiB at \(probePath)"
                    + (free < setup.config.minFreeBytes ? "  (below [uploads] min_free_bytes: uploads are refused)" : ""))
            if free < setup.config.minFreeBytes { problems.append("free disk below [uploads] min_free_bytes") }
        }

        let worker = (CommandLine.arguments[0] as NSString).deletingLastPathComponent + "/kinora-media"
        let resolvedWorker =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")).map {
                ($0 as NSString).deletingLastPathComponent + "/kinora-media"
            } ?? worker
        if let report = try? await MediaWorker(executable: resolvedWorker).versions(), let json = try? JSONValue(parsing: report) {
            let ffmpeg = json["ffmpeg"]
            print(
                "ffmpeg:    \(ffmpeg?["ffmpeg"]?.stringValue ?? "?") (libavformat \(ffmpeg?["libavformat"]?.stringValue ?? "?"), libavcodec \(ffmpeg?["libavcodec"]?.stringValue ?? "?"))"
            )
            let encoders = json["encoders"]?.objectValue ?? [:]
            print("encoders:  " + encoders.keys.sorted().map { "\($0) \(encoders[$0]?.boolValue == true ? "yes" : "no")" }.joined(separator: ", "))
            if encoders["libx264"]?.boolValue != true { problems.append("libx264 is not available") }
        } else {
            print("ffmpeg:    media worker \(resolvedWorker) is missing or failed")
            problems.append("the media worker kinora-media does not run")
        }

        let registry = Maintenance.registry(logLevel: .critical, setup: setup)
        registry.loadModules(from: setup.pluginFolders)
        registry.createInstances(setup.instances)
        registry.startAll()
        print("plugins:")
        for instance in registry.instances {
            print("  \(instance.name): \(instance.pluginID) \(instance.state.rawValue)" + (instance.lastError.map { " (\($0))" } ?? ""))
            if instance.state != .started { problems.append("plugin instance \(instance.name) does not start") }
        }
        for failure in registry.moduleFailures { print("  refused: \(failure.reason)") }
        problems += (registry.instanceErrors + setup.crossCheck(registry)).map(\.description)
        if let packager = setup.packagerCheck(registry) { problems.append(packager.description) }
        await registry.stopAll()
        if !problems.isEmpty { throw CLIError("problems:\n  " + problems.joined(separator: "\n  ")) }
        print("OK")
    }
}
