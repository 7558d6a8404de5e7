import Foundation
import KinoraPluginConformance
import KinoraTestSupport
import Testing

/// `kinora plugin conformance` on every kind of bundled instance, and `kinora plugin classify`,
/// run as an operator runs them: the built binary, a config folder with plugins.d.
@Suite struct PluginCLITests {
    let dir: String

    init() throws {
        dir = try TestEnvironment.makeTemporaryDirectory("plugin-cli")
        try FileManager.default.createDirectory(atPath: dir + "/etc/plugins.d", withIntermediateDirectories: true)
        let files = [
            "kinora.toml": "[data]\ndir = \"\(dir)/data\"\n",
            "plugins.d/media.toml": "plugin = \"org.kinora.storage-local\"\n[settings]\nroot = \"\(dir)/media\"\n",
            "plugins.d/hls.toml": "plugin = \"org.kinora.packager-hls\"\n",
            "plugins.d/dash.toml": "plugin = \"org.kinora.packager-dash\"\n",
            "plugins.d/words.toml": "plugin = \"org.kinora.moderation-wordlist\"\n[settings]\nlabel = \"profanity\"\nwords = [\"merde\"]\n",
        ]
        for (name, text) in files { try text.write(toFile: dir + "/etc/" + name, atomically: true, encoding: .utf8) }
    }

    /// Off the cooperative pool: a suite run takes seconds, which other tests' polls must not wait for.
    func kinora(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await TestEnvironment.runOffPool(TestEnvironment.kinoraExecutable, ["plugin"] + arguments + ["--config", dir + "/etc/kinora.toml"])
    }

    static func passed(_ output: String) -> [String] {
        output.split(separator: "\n").filter { $0.hasPrefix("✔ ") }.map { String($0.dropFirst(2).prefix { $0 != ":" }) }
    }

    @Test func theModerationSuitePassesOnTheWordlistInstance() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try await kinora(["conformance", "words"])
        #expect(result.status == 0, "\(result.output)")
        #expect(Self.passed(result.output) == ModerationConformance.cases.map(\.name), "\(result.output)")
        #expect(result.output.contains("kinora.moderation/1 (words, org.kinora.moderation-wordlist)"))

        let one = try await kinora(["conformance", "words", "--case", "failing-reader"])
        #expect(one.status == 0 && Self.passed(one.output) == ["failing-reader"], "\(one.output)")
        let unknown = try await kinora(["conformance", "words", "--case", "round-trip"])
        #expect(unknown.status != 0 && unknown.output.contains("words: unknown case(s) round-trip"), "\(unknown.output)")
    }

    @Test(arguments: ["hls", "dash"])
    func thePackagerSuitePassesOnTheBundledPackagers(_ instance: String) async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try await kinora(["conformance", instance])
        #expect(result.status == 0, "\(result.output)")
        // HLS writes growing playlists too; DASH does not offer the interface.
        let expected = PackagerConformance.cases + (instance == "hls" ? PackagerConformance.growingCases : [])
        #expect(Self.passed(result.output) == expected.map(\.name), "\(result.output)")
    }

    @Test func classifyPrintsTheVerdictOfAFileAndOfStandardInput() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "Quelle MERDE, ce film.\n".write(toFile: dir + "/comment.txt", atomically: true, encoding: .utf8)
        let file = try await kinora(["classify", "words", dir + "/comment.txt"])
        #expect(file.status == 0, "\(file.output)")
        let verdict = try #require(try JSONSerialization.jsonObject(with: Data(file.output.utf8)) as? [String: Any], "\(file.output)")
        let labels = try #require(verdict["labels"] as? [[String: Any]])
        #expect(labels.first?["name"] as? String == "profanity" && (labels.first?["score"] as? Double ?? 0) > 0.5, "\(file.output)")

        let stdin = try await TestEnvironment.runOffPool(
            "/bin/sh",
            [
                "-c", "echo 'a clean sentence' | \"$0\" plugin classify words - --config \"$1\"", TestEnvironment.kinoraExecutable,
                dir + "/etc/kinora.toml",
            ])
        #expect(stdin.status == 0, "\(stdin.output)")
        let clean = try #require(try JSONSerialization.jsonObject(with: Data(stdin.output.utf8)) as? [String: Any], "\(stdin.output)")
        #expect((clean["labels"] as? [Any])?.isEmpty == true, "\(stdin.output)")
    }

    @Test func classifyNamesWhatIsWrong() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "text".write(toFile: dir + "/comment.txt", atomically: true, encoding: .utf8)
        let missing = try await kinora(["classify", "words", dir + "/nope.txt"])
        #expect(missing.status != 0 && missing.output.contains("\(dir)/nope.txt: No such file or directory"), "\(missing.output)")
        let packager = try await kinora(["classify", "hls", dir + "/comment.txt"])
        #expect(
            packager.status != 0 && packager.output.contains("hls: not a moderation instance (org.kinora.packager-hls implements kinora.packager/1, kinora.packager.growing/1)"),
            "\(packager.output)")
        let ghost = try await kinora(["classify", "ghost", dir + "/comment.txt"])
        #expect(ghost.status != 0 && ghost.output.contains("ghost: no instance of that name"), "\(ghost.output)")
        let image = try await kinora(["classify", "words", "--type", "image/jpeg", dir + "/comment.txt"])
        #expect(image.status != 0 && image.output.contains("words: classifying \(dir)/comment.txt failed: unsupported"), "\(image.output)")
    }
}
