import Foundation
import KinoraTestSupport
import Testing

/// The notification channel plugins alone, built with gcc as a third party would build them
/// (SDK/c/kit/README.md) and driven without the daemon (Tests/Fixtures/notify/drive.c) against
/// the Python peers: DKIM verified by dkimpy, 451/550 and HTTP statuses mapped to outcomes,
/// header injection refused, Standard Webhooks and Twilio signatures, RFC 8291 Appendix A
/// reproduced byte for byte and pushes decrypted by http_ece, connection reuse. Every check
/// is a line of Tests/Fixtures/notify/check-notify.sh's output.
@Suite struct NotifyPluginChecksTests {
    @Test func everyChannelPassesItsChecksAgainstItsPeer() async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHON"] = try TestEnvironment.testPython()
        // Throughput is the benchmark's to measure (kinora-bench notify): beside the rest of the
        // suite on 2 cores, 1000 mails took 15.7 s (64/s); alone they take under 2 s.
        environment["MIN_RATE"] = "1"
        // Beside the whole suite, fewer mails: the check is that one connection carries them all.
        environment["MAILS"] = "200"
        let run = try await TestEnvironment.runOffPool(
            "/bin/bash", [TestEnvironment.repositoryRoot + "/Tests/Fixtures/notify/check-notify.sh"], environment: environment)
        let failed = run.output.split(separator: "\n").filter { $0.hasPrefix("FAIL") }
        #expect(run.status == 0 && failed.isEmpty, "\(failed.joined(separator: "\n"))\n\(run.output.suffix(3000))")
        #expect(run.output.contains("all notify checks passed"), "\(run.output.suffix(2000))")
        for line in run.output.split(separator: "\n") where line.contains("mails/s") { print("notify-smtp: \(line)") }
    }

    /// A template naming a variable its event does not have fails `kinora config check`,
    /// naming the file and the line.
    @Test func aTemplateWithAnUnknownVariableFailsConfigCheck() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("notify-templates")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/templates/en", withIntermediateDirectories: true)
        try "[notifications]\ntemplates = \"\(dir)/templates\"\n".write(toFile: dir + "/kinora.toml", atomically: true, encoding: .utf8)
        let good = try await TestEnvironment.runOffPool(
            TestEnvironment.kinoraExecutable, ["config", "check", "--config", dir + "/kinora.toml", "--data-dir", dir + "/data"])
        // (A development build's folder may hold other libraries `config check` reports; only
        // the templates' lines matter here.)
        #expect(!good.output.contains(".mustache"), "the bundled templates must pass: \(good.output)")
        try "Hello {{user_name}},\n{{channel_name}} published {{video_titel}}\n".write(
            toFile: dir + "/templates/en/video.published.text.mustache", atomically: true, encoding: .utf8)
        let bad = try await TestEnvironment.runOffPool(
            TestEnvironment.kinoraExecutable, ["config", "check", "--config", dir + "/kinora.toml", "--data-dir", dir + "/data"])
        #expect(bad.status != 0)
        #expect(bad.output.contains("\(dir)/templates/en/video.published.text.mustache:2: unknown variable \"video_titel\""), "\(bad.output)")
    }
}
