import Foundation
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraTestSupport
import Testing

/// The pipeline with the real word-list plugin (`.so`, loaded with dlopen), started as the
/// daemon starts it.
@Suite struct ModerationPipelineTests {
    static func wordlist() throws -> PluginRegistry {
        let registry = PluginRegistry(environment: HostEnvironment(logger: TestEnvironment.quietLogger(), version: "test"), workerThreads: 2)
        try registry.loadModule(at: TestEnvironment.wordlistModule)
        let errors = registry.createInstances([
            InstanceConfig(name: "words", pluginID: "org.kinora.moderation-wordlist", settings: ["words": ["spam"], "label": "blocklist"])
        ])
        guard errors.isEmpty else { throw TestFailure("\(errors)") }
        registry.startAll()
        return registry
    }

    func policy(_ classifiers: [String], hold: Double = 0.5, remove: Double = 0.9, onFailure: ModerationConfig.FailureAction = .hold)
        -> ModerationConfig
    {
        var policy = ModerationConfig()
        policy.classifiers = classifiers
        // Not what these tests are about: a loaded CI machine must not turn answers into timeouts.
        policy.classifierTimeoutMs = 30_000
        policy.holdScore = hold
        policy.removeScore = remove
        policy.onFailure = onFailure
        return policy
    }

    @Test func scoresDecideAndEverySignalIsKept() async throws {
        let registry = try Self.wordlist()
        defer { Task { await registry.stopAll() } }
        let off = ModerationPipeline(registry: registry, policy: policy([]))
        #expect(await off.classify(text: "spam spam spam") == .clean, "no [moderation] classifiers: nothing runs")

        let strict = ModerationPipeline(registry: registry, policy: policy(["words"]))
        let removed = await strict.classify(text: "Buy SPAM now")
        #expect(removed.action == .remove && removed.rule?.contains("remove_score") == true, "\(removed)")
        #expect(removed.signals == [ClassifierSignal(classifier: "words", outcome: .labels([.init(name: "blocklist", score: 1)]))])
        #expect(await strict.classify(text: "a lovely video").action == .publish)

        // A score of 1.0 is not strictly above remove_score 1.0: held for review instead.
        let lenient = ModerationPipeline(registry: registry, policy: policy(["words"], remove: 1.0))
        #expect(await lenient.classify(text: "spam").action == .hold)
    }

    @Test func aClassifierThatCannotAnswerHoldsOrPublishesAsThePolicySays() async throws {
        let registry = try Self.wordlist()
        defer { Task { await registry.stopAll() } }
        let held = await ModerationPipeline(registry: registry, policy: policy(["words", "gone"])).classify(text: "hello")
        #expect(held.action == .hold && held.rule == "classifier gone failed, on_failure = hold", "\(held)")
        let published = await ModerationPipeline(registry: registry, policy: policy(["words", "gone"], onFailure: .publish)).classify(text: "hi")
        #expect(published.action == .publish)
        // A timeout counts as a failure; an unsupported media type does not.
        let timedOut = ModerationPipeline.decide([ClassifierSignal(classifier: "slow", outcome: .timedOut)], policy: policy(["slow"]))
        #expect(timedOut.action == .hold)
        let unsupported = ModerationPipeline.decide([ClassifierSignal(classifier: "images", outcome: .unsupported)], policy: policy(["images"]))
        #expect(unsupported.action == .publish)
    }
}
