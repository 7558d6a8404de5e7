import Foundation
import KinoraTestSupport
import Testing

/// `kinora plugin list`/`check` and /readyz as an operator meets them, with the real binary.
@Suite(.serialized) struct PluginCommandTests {
    /// A kinora.toml and a plugins.d with the bundled defaults plus `extra` instance files.
    func writeSetup(_ dir: String, extra: [String: String]) throws -> String {
        try FileManager.default.createDirectory(atPath: dir + "/plugins.d", withIntermediateDirectories: true)
        try "[data]\ndir = \"\(dir)/data\"\n".write(toFile: dir + "/kinora.toml", atomically: true, encoding: .utf8)
        var files = [
            "media.toml": "plugin = \"org.kinora.storage-local\"\n[settings]\nroot = \"\(dir)/media\"\n",
            "hls.toml": "plugin = \"org.kinora.packager-hls\"\n",
            "dash.toml": "plugin = \"org.kinora.packager-dash\"\n",
        ]
        files.merge(extra) { $1 }
        for (name, text) in files { try text.write(toFile: dir + "/plugins.d/" + name, atomically: true, encoding: .utf8) }
        return dir + "/kinora.toml"
    }

    /// A storage instance whose root lies under a regular file: created fine, fails to start.
    func brokenArchive(_ dir: String) throws -> [String: String] {
        try "a file, not a folder\n".write(toFile: dir + "/blocker", atomically: true, encoding: .utf8)
        return ["archive.toml": "plugin = \"org.kinora.storage-local\"\n[settings]\nroot = \"\(dir)/blocker/archive\"\n"]
    }

    @Test func listShowsUnusedModulesAsNotLoadedAndExitsZeroWhenAllIsWell() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("plugin-list")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let list = try TestEnvironment.run(TestEnvironment.kinoraExecutable, ["plugin", "list", "--data-dir", dir])
        #expect(list.status == 0, "\(list.output)")
        // The default instances use no S3 storage: listed with its descriptor, not loaded.
        let s3 = list.output.split(separator: "\n").first { $0.contains("libkinora-storage-s3.so") } ?? ""
        #expect(s3.contains("not loaded"), "\(list.output)")
        #expect(list.output.contains("org.kinora.storage-s3"))
        let local = list.output.split(separator: "\n").first { $0.contains("libkinora-storage-local.so") } ?? ""
        #expect(local.hasSuffix("  loaded"), "\(list.output)")
    }

    @Test func listExitsNonZeroAndSaysWhyWhenAnInstanceFailsOrIsRefused() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("plugin-list")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var extra = try brokenArchive(dir)
        extra["words.toml"] = "plugin = \"org.kinora.moderation-wordlist\"\n[settings]\npatterns = [\"([unclosed\"]\n"
        let config = try writeSetup(dir, extra: extra)
        let list = try TestEnvironment.run(TestEnvironment.kinoraExecutable, ["plugin", "list", "--config", config])
        #expect(list.status != 0)
        #expect(list.output.contains("instance archive failed to start:") && list.output.contains("blocker/archive"), "\(list.output)")
        #expect(list.output.contains("instance refused:") && list.output.contains("words.toml"), "\(list.output)")
        let json = try TestEnvironment.run(TestEnvironment.kinoraExecutable, ["plugin", "list", "--json", "--config", config])
        #expect(json.status != 0, "the exit status does not depend on the output format")
    }

    @Test func checkMarksRequiredSettingsAndShowsDefaults() throws {
        let check = try TestEnvironment.run(TestEnvironment.kinoraExecutable, ["plugin", "check", TestEnvironment.storageLocalModule])
        #expect(check.status == 0, "\(check.output)")
        let lines = check.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains { $0.hasPrefix("root: string (required)") }, "\(check.output)")
        #expect(lines.contains { $0.hasPrefix("fsync: boolean = true") }, "\(check.output)")
        #expect(!lines.contains { $0.hasPrefix("fsync") && $0.contains("required") })
    }

    @Test func readyzTellsAnonymousCallersWhatIsWrongWithoutPathsOrPluginIDs() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("readyz")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try writeSetup(dir, extra: try brokenArchive(dir))
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", config])
        try await daemon.start()
        let anonymous = try daemon.get("/readyz")
        #expect(anonymous.status == 503)
        let summary = (anonymous.json as? [String: Any])?["detail"] as? String ?? ""
        #expect(summary.hasPrefix("1 plugin instance failed to start (storage)"), "\(summary)")
        #expect(!anonymous.body.contains(dir), "\(anonymous.body)")
        #expect(!anonymous.body.contains("org.kinora") && !anonymous.body.contains("archive") && !anonymous.body.contains("blocker"))
        let admin = try daemon.get("/readyz", headers: ["Authorization": "Bearer \(daemon.adminToken)"])
        let detail = (admin.json as? [String: Any])?["detail"] as? String ?? ""
        #expect(admin.status == 503 && detail.contains("plugin instance archive is failed") && detail.contains(dir + "/blocker"), "\(detail)")

        // The daemon mapped the modules its instances use, not the S3 one, yet lists it.
        let maps = readProcFile("/proc/\(daemon.process.processIdentifier)/maps")
        #expect(maps.contains("libkinora-storage-local.so") && !maps.contains("libkinora-storage-s3.so"))
        let report = try daemon.get("/api/v1/plugins", headers: ["Authorization": "Bearer \(daemon.adminToken)"]).json as? [String: Any]
        let modules = report?["modules"] as? [[String: Any]] ?? []
        let s3 = modules.first { ($0["path"] as? String ?? "").hasSuffix("libkinora-storage-s3.so") }
        #expect(s3?["loaded"] as? Bool == false && (s3?["plugins"] as? [[String: Any]])?.first?["id"] as? String == "org.kinora.storage-s3")
        #expect(FileManager.default.fileExists(atPath: dir + "/data/plugin-modules.json"), "the inspection is cached in the data folder")
        #expect(try await daemon.stop() == 0)
    }
}
