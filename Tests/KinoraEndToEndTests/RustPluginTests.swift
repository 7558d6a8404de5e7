import Foundation
import KinoraTestSupport
import Testing

/// The Rust SDK end to end: `SDK/rust/check` tests the kinora-plugin crate (its layout test
/// compiles plugin.h with cc) and builds the example moderation plugin with cargo, offline;
/// the real daemon then checks, loads and starts the resulting .so.
@Suite(.serialized) struct RustPluginTests {
    static let pluginID = "org.kinora.example.moderation-keywords"

    /// Runs SDK/rust/check once per test process and returns the built module's path. A
    /// machine without cargo fails here, loudly: CI installs it (`.ci/setup`). The build takes
    /// a minute or more, so it runs off the cooperative pool that every other test shares.
    static let build = Task<String, Error> {
        let script = TestEnvironment.repositoryRoot + "/SDK/rust/check"
        guard FileManager.default.isExecutableFile(atPath: script) else { throw TestFailure("\(script) is missing or not executable") }
        let result = try await TestEnvironment.runOffPool("/bin/bash", [script])
        let lines = result.output.split(separator: "\n").map(String.init)
        guard result.status == 0, let so = lines.last, so.hasSuffix(".so"), FileManager.default.fileExists(atPath: so) else {
            throw TestFailure("SDK/rust/check failed (status \(result.status)):\n\(result.output.suffix(6000))")
        }
        return so
    }

    static func builtModule() async throws -> String { try await build.value }

    /// A config folder: kinora.toml naming a modules folder that holds the Rust module, and a
    /// plugins.d with media storage, both packagers and a `keywords` instance of the example.
    static func setup(_ dir: String, words: [String]) async throws -> String {
        let module = try await builtModule()
        try FileManager.default.createDirectory(atPath: dir + "/plugins", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/plugins.d", withIntermediateDirectories: true)
        // A copy, not the cargo output itself: a later build must never rewrite a mapped module.
        try FileManager.default.copyItem(atPath: module, toPath: dir + "/plugins/kinora-moderation-keywords.so")
        try "[data]\ndir = \"\(dir)/data\"\n\n[plugins]\nfolders = [\"\(dir)/plugins\"]\n".write(
            toFile: dir + "/kinora.toml", atomically: true, encoding: .utf8)
        try "plugin = \"org.kinora.storage-local\"\n[settings]\nroot = \"\(dir)/data/media\"\n".write(
            toFile: dir + "/plugins.d/media.toml", atomically: true, encoding: .utf8)
        try "plugin = \"org.kinora.packager-hls\"\n".write(toFile: dir + "/plugins.d/hls.toml", atomically: true, encoding: .utf8)
        try "plugin = \"org.kinora.packager-dash\"\n".write(toFile: dir + "/plugins.d/dash.toml", atomically: true, encoding: .utf8)
        let list = words.map { "\"\($0)\"" }.joined(separator: ", ")
        try "plugin = \"\(pluginID)\"\n\n[settings]\nwords = [\(list)]\n".write(
            toFile: dir + "/plugins.d/keywords.toml", atomically: true, encoding: .utf8)
        return dir + "/kinora.toml"
    }

    @Test func pluginCheckShowsTheRustDescriptor() async throws {
        let module = try await Self.builtModule()
        let check = try await TestEnvironment.runOffPool(TestEnvironment.kinoraExecutable, ["plugin", "check", module])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("OK, plugin ABI 1.0"), "\(check.output)")
        #expect(check.output.contains("id:          \(Self.pluginID)"), "\(check.output)")
        #expect(check.output.contains("interfaces:  kinora.moderation/1"), "\(check.output)")
        #expect(check.output.contains("words: array"), "\(check.output)")
    }

    @Test func theDaemonStartsTheRustInstance() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("rust-plugin")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try await Self.setup(dir, words: ["spoiler", "free money"])

        let list = try await TestEnvironment.runOffPool(TestEnvironment.kinoraExecutable, ["plugin", "list", "--config", config])
        #expect(list.status == 0, "\(list.output)")
        #expect(list.output.contains(dir + "/plugins/kinora-moderation-keywords.so  ABI 1.0"), "\(list.output)")
        #expect(list.output.contains("keywords  \(Self.pluginID)  started"), "\(list.output)")

        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", config])
        try await daemon.start()
        let plugins = try daemon.get("/api/v1/plugins", headers: ["Authorization": "Bearer \(daemon.adminToken)"])
        #expect(plugins.status == 200)
        let instances = (plugins.json as? [String: Any])?["instances"] as? [[String: Any]] ?? []
        let keywords = instances.first { $0["name"] as? String == "keywords" }
        #expect(keywords?["state"] as? String == "started", "\(plugins.body)")
        #expect(keywords?["plugin"] as? String == Self.pluginID)
        #expect(try daemon.get("/readyz").status == 200)
        #expect(try await daemon.stop() == 0)
        #expect(daemon.log.contains("flagging 2 keyword(s)"), "the plugin logs through the host: \(daemon.log)")
    }

    @Test func settingsTheSchemaRefusesNameTheFileAndKey() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("rust-plugin")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try await Self.setup(dir, words: [])
        try "plugin = \"\(Self.pluginID)\"\n[settings]\nwords = \"spoiler\"\n".write(
            toFile: dir + "/plugins.d/keywords.toml", atomically: true, encoding: .utf8)
        let check = try await TestEnvironment.runOffPool(TestEnvironment.kinoraExecutable, ["config", "check", "--config", config])
        #expect(check.status != 0)
        #expect(check.output.contains(dir + "/plugins.d/keywords.toml: settings.words"), "\(check.output)")
    }

    @Test func classifyThroughTheProductFlagsAKeyword() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("rust-plugin")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try await Self.setup(dir, words: ["spoiler"])
        try "Big SPOILER ahead: he was a ghost all along.\n".write(toFile: dir + "/text.txt", atomically: true, encoding: .utf8)
        let flagged = try await TestEnvironment.runOffPool(
            TestEnvironment.kinoraExecutable, ["plugin", "classify", "keywords", "--config", config, "--type", "text/plain", dir + "/text.txt"])
        #expect(flagged.status == 0, "\(flagged.output)")
        #expect(flagged.output.contains("\"keywords\"") && flagged.output.contains("\"spoiler\""), "\(flagged.output)")
        try "Nothing to see here.\n".write(toFile: dir + "/clean.txt", atomically: true, encoding: .utf8)
        let clean = try await TestEnvironment.runOffPool(
            TestEnvironment.kinoraExecutable, ["plugin", "classify", "keywords", "--config", config, "--type", "text/plain", dir + "/clean.txt"])
        #expect(clean.status == 0, "\(clean.output)")
        #expect(!clean.output.contains("\"spoiler\""), "\(clean.output)")
        let image = try await TestEnvironment.runOffPool(
            TestEnvironment.kinoraExecutable, ["plugin", "classify", "keywords", "--config", config, "--type", "image/png", dir + "/clean.txt"])
        #expect(image.status != 0 && image.output.contains("unsupported"), "\(image.output)")
    }
}
