import Foundation
import KinoraPluginConformance
import KinoraTestSupport
import Testing

/// The suites catch real bugs: plugins built with `cc`, each wrong in one way, loaded through
/// the SDK's ConformanceHost, fail exactly the case that checks that rule; the bundled word
/// list, loaded the same way, passes every case.
@Suite(.serialized) struct ConformanceSuiteTests {
    static let sloppy: Result<ConformanceHost, any Error> = Result {
        let dir = try TestEnvironment.makeTemporaryDirectory("sloppy-moderation")
        let module = dir + "/sloppy.so"
        try TestEnvironment.compileCPlugin(TestEnvironment.repositoryRoot + "/Tests/Fixtures/plugins/sloppy_moderation.c", output: module)
        return try ConformanceHost(modulePath: module)
    }

    /// The cases that fail for `pluginID`, with their messages.
    static func failures(_ pluginID: String) async throws -> [String: String] {
        let instance = try sloppy.get().start(pluginID: pluginID)
        defer { instance.close() }
        var failed: [String: String] = [:]
        for check in Conformance.cases(for: instance.plugin) {
            do { try await check.run(instance.plugin) } catch { failed[check.name] = "\(error)" }
        }
        return failed
    }

    @Test func aSecondCompletionFailsCompletesOnce() async throws {
        let failed = try await Self.failures("org.test.mod-twice")
        #expect(Array(failed.keys) == ["completes-once"], "\(failed)")
        #expect(failed["completes-once"]?.contains("classify (text) completed 2 times") == true, "\(failed)")
    }

    @Test func scoresOutOfOrderOrRangeFailTheVerdictShape() async throws {
        let failed = try await Self.failures("org.test.mod-unsorted")
        #expect(Set(failed.keys) == ["text-verdict", "empty-input"], "\(failed)")
        #expect(failed["text-verdict"]?.contains("labels[1] (b) has score 1.5, outside [0,1]") == true, "\(failed)")
    }

    @Test func swallowingAReaderFailureFailsFailingReader() async throws {
        let failed = try await Self.failures("org.test.mod-deaf")
        #expect(Array(failed.keys) == ["failing-reader"], "\(failed)")
        #expect(failed["failing-reader"]?.contains("expected I/O error or cancelled, but it succeeded") == true, "\(failed)")
    }

    @Test func acceptingAnyFeedbackLabelFailsFeedbackBadLabelOnly() async throws {
        let failed = try await Self.failures("org.test.mod-gullible")
        #expect(Array(failed.keys) == ["feedback-bad-label"], "\(failed)")
        #expect(failed["feedback-bad-label"]?.contains("feedback with label \"maybe\": expected invalid argument, but it succeeded") == true, "\(failed)")
    }

    @Test func theBundledWordListPassesThroughTheTestHost() async throws {
        let host = try ConformanceHost(modulePath: TestEnvironment.wordlistModule)
        defer { host.close() }
        let instance = try host.start(pluginID: "org.kinora.moderation-wordlist", config: #"{"label":"spam","words":["free money"]}"#)
        for check in ModerationConformance.cases { try await check.run(instance.plugin) }
        let verdict = try ModerationConformance.classify(instance.plugin, text: "Get FREE money now")
        #expect(verdict.contains(#""name":"spam""#), "\(verdict)")
        #expect(throws: ConformanceFailure.self) { try host.start(pluginID: "org.kinora.moderation-wordlist", config: #"{"max_bytes":"x"}"#) }
    }
}
