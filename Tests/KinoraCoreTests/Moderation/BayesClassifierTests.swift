import Foundation
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraPluginConformance
import KinoraStore
import KinoraTestSupport
import Testing

/// The bundled naive Bayes plugin (`libkinora-moderation-bayes.so`, loaded with dlopen through
/// the host's registry as the daemon loads it): both conformance suites, its precision and
/// recall on a made-up labelled set, learning from decisions (in memory and in its learnt
/// file), and the errors of a bad corpus.
@Suite struct BayesClassifierTests {
    static let pluginID = "org.kinora.moderation-bayes"

    /// A registry with one started `bayes` instance over `settings` (the corpus path included).
    static func registry(_ settings: JSONValue, name: String = "bayes") throws -> PluginRegistry {
        let registry = PluginRegistry(environment: HostEnvironment(logger: TestEnvironment.quietLogger(), version: "test"), workerThreads: 2)
        try registry.loadModule(at: TestEnvironment.bayesModule)
        let errors = registry.createInstances([InstanceConfig(name: name, pluginID: pluginID, settings: settings)])
        guard errors.isEmpty else { throw TestFailure("\(errors)") }
        registry.startAll()
        guard registry.moderation(named: name) != nil else { throw TestFailure("bayes did not start: \(registry.instances.map { $0.lastError ?? "" })") }
        return registry
    }

    /// The errors creating an instance over `settings` gives.
    static func refusal(_ settings: JSONValue) throws -> String {
        let registry = PluginRegistry(environment: HostEnvironment(logger: TestEnvironment.quietLogger(), version: "test"), workerThreads: 1)
        try registry.loadModule(at: TestEnvironment.bayesModule)
        return registry.createInstances([InstanceConfig(name: "bayes", pluginID: pluginID, settings: settings)]).map(\.description).joined(separator: "\n")
    }

    /// A folder with `corpus.tsv` made of `messages`.
    static func corpus(_ messages: some Sequence<SpamCorpus.Message>) throws -> String {
        let dir = try TestEnvironment.makeTemporaryDirectory("bayes")
        try SpamCorpus.tsv(messages).write(toFile: dir + "/corpus.tsv", atomically: true, encoding: .utf8)
        return dir
    }

    static func score(_ client: ModerationClient, _ text: String) async throws -> Double {
        let verdict = try await client.classify(text: text)
        return try #require(verdict["labels"]?[0]?["score"]?.doubleValue, "\(verdict)")
    }

    @Test func passesTheModerationAndFeedbackConformanceSuites() async throws {
        let dir = try Self.corpus(SpamCorpus.messages(count: 60, seed: 1))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let registry = try Self.registry(["corpus": .string(dir + "/corpus.tsv"), "learned": .string(dir + "/learned.tsv")])
        defer { Task { await registry.stopAll() } }
        let plugin = PluginUnderTest(try #require(registry.instance(named: "bayes")).rawPlugin)
        #expect(plugin.interfaces == ["kinora.moderation/1", "kinora.moderation.feedback/1"])
        let cases = Conformance.cases(for: plugin)
        #expect(Set(cases.map(\.name)).isSuperset(of: ["text-verdict", "feedback-accepted", "feedback-bad-label", "feedback-completes-once"]))
        var failed: [String: String] = [:]
        for check in cases {
            do { try await check.run(plugin) } catch { failed[check.name] = "\(error)" }
        }
        #expect(failed.isEmpty, "\(failed)")
        // Images and video are not its business: unsupported, which the pipeline counts as a pass.
        do {
            _ = try ModerationConformance.classify(plugin, mediaType: "image/jpeg", source: ChunkSource(bytes: [0xFF, 0xD8, 0xFF]))
            Issue.record("an image was classified")
        } catch let failure as PluginCallFailure {
            #expect(failure.statusName == "unsupported", "\(failure)")
        }
    }

    /// 200 comments, half spam: trained on the first 100, scored on the other 100.
    @Test func precisionAndRecallOnAMadeUpLabelledSet() async throws {
        let messages = SpamCorpus.messages(count: 200, seed: 2026)
        let dir = try Self.corpus(messages[..<100])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let registry = try Self.registry(["corpus": .string(dir + "/corpus.tsv")])
        defer { Task { await registry.stopAll() } }
        let client = try #require(registry.moderation(named: "bayes"))
        var truePositives = 0, falsePositives = 0, falseNegatives = 0
        for message in messages[100...] {
            let flagged = try await Self.score(client, message.text) >= 0.5
            switch (flagged, message.spam) {
            case (true, true): truePositives += 1
            case (true, false): falsePositives += 1
            case (false, true): falseNegatives += 1
            case (false, false): break
            }
        }
        let precision = Double(truePositives) / Double(max(1, truePositives + falsePositives))
        let recall = Double(truePositives) / Double(max(1, truePositives + falseNegatives))
        print("moderation-bayes on 100 held-out comments (50 spam): precision \(precision), recall \(recall)")
        #expect(precision >= 0.9, "precision \(precision): \(falsePositives) ham flagged")
        #expect(recall >= 0.9, "recall \(recall): \(falseNegatives) spam missed")
    }

    @Test func feedbackMovesABorderlineScoreTheWayTheModeratorDecided() async throws {
        let dir = try Self.corpus(SpamCorpus.messages(count: 100, seed: 3))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let registry = try Self.registry(["corpus": .string(dir + "/corpus.tsv")])
        defer { Task { await registry.stopAll() } }
        let client = try #require(registry.moderation(named: "bayes"))
        #expect(client.takesFeedback)
        // Spam's words in a video comment's company.
        let borderline = "cheap bonus editing tips for your music video"
        let before = try await Self.score(client, borderline)
        try #require((0.05...0.95).contains(before), "not borderline: \(before)")

        try await client.feedback(text: borderline, label: .clean, decision: ["action": "approve", "reason": "fine", "labels": []])
        let approved = try await Self.score(client, borderline)
        #expect(approved < before, "approved: \(before) -> \(approved)")
        // A similar comment, not the same one, moves too.
        let similar = "cheap bonus editing tips for the music"
        let similarBefore = try await Self.score(client, similar)
        for _ in 0..<3 {
            try await client.feedback(text: borderline, label: .violation, decision: ["action": "remove", "reason": "ads", "labels": []])
        }
        let removed = try await Self.score(client, borderline)
        #expect(removed > approved, "removed thrice: \(approved) -> \(removed)")
        #expect(try await Self.score(client, similar) > similarBefore)
        // A label outside the two, or non-text, is refused and teaches nothing.
        await #expect(throws: PluginCallError.self) {
            try await client.feedback(text: borderline, label: .clean, decision: "not an object")
        }
        #expect(try await Self.score(client, borderline) == removed)
    }

    @Test func learntDecisionsAreAppendedAndReadBackByANewInstance() async throws {
        let dir = try Self.corpus(SpamCorpus.messages(count: 100, seed: 4))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let settings: JSONValue = ["corpus": .string(dir + "/corpus.tsv"), "learned": .string(dir + "/learned.tsv"), "feedback_weight": 3]
        let text = "cheap\tbonus editing\ntips for your music video"
        let first = try Self.registry(settings)
        let client = try #require(first.moderation(named: "bayes"))
        try await client.feedback(text: text, label: .violation, decision: ["action": "ban", "reason": "ads", "labels": []])
        let learnt = try await Self.score(client, text)
        await first.stopAll()
        #expect(try String(contentsOfFile: dir + "/learned.tsv", encoding: .utf8) == "spam\tcheap bonus editing tips for your music video\n")

        let second = try Self.registry(settings)
        defer { Task { await second.stopAll() } }
        #expect(try await Self.score(try #require(second.moderation(named: "bayes")), text) == learnt, "the restart knows what was learnt")
    }

    @Test func aMissingOrMalformedCorpusIsACreateErrorNamingTheFileAndLine() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("bayes-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let missing = try Self.refusal(["corpus": .string(dir + "/nope.tsv")])
        #expect(missing.contains("settings.corpus: cannot open \(dir)/nope.tsv: No such file or directory"), "\(missing)")

        try "# made up\nspam\tfree money\n\nham just a comment\n".write(toFile: dir + "/notab.tsv", atomically: true, encoding: .utf8)
        let noTab = try Self.refusal(["corpus": .string(dir + "/notab.tsv")])
        #expect(noTab.contains("\(dir)/notab.tsv line 4: expected \"spam<TAB>text\" or \"ham<TAB>text\", found no tab"), "\(noTab)")

        try "spam\tfree money\nmaybe\tperhaps\n".write(toFile: dir + "/label.tsv", atomically: true, encoding: .utf8)
        let label = try Self.refusal(["corpus": .string(dir + "/label.tsv")])
        #expect(label.contains("\(dir)/label.tsv line 2: the label \"maybe\" is neither spam nor ham"), "\(label)")

        try Data([0x68, 0x61, 0x6D, 0x09, 0xFF, 0xFE, 0x0A]).write(to: URL(fileURLWithPath: dir + "/utf8.tsv"))
        let utf8 = try Self.refusal(["corpus": .string(dir + "/utf8.tsv")])
        #expect(utf8.contains("\(dir)/utf8.tsv line 1: the text is not valid UTF-8"), "\(utf8)")

        try "spam\tfree money\nSPAM\tcheap pills\n".write(toFile: dir + "/onesided.tsv", atomically: true, encoding: .utf8)
        let oneSided = try Self.refusal(["corpus": .string(dir + "/onesided.tsv")])
        #expect(oneSided.contains("has no ham message"), "\(oneSided)")

        try "spam\tfree money\nham\tnice\n".write(toFile: dir + "/ok.tsv", atomically: true, encoding: .utf8)
        try "ham\tfine\noops\n".write(toFile: dir + "/learned.tsv", atomically: true, encoding: .utf8)
        let learned = try Self.refusal(["corpus": .string(dir + "/ok.tsv"), "learned": .string(dir + "/learned.tsv")])
        #expect(learned.contains("settings.learned: \(dir)/learned.tsv line 2"), "\(learned)")
        #expect(try Self.refusal(["corpus": "relative.tsv"]).contains("corpus"), "the schema wants an absolute path")
    }

    /// The daemon's side: a decision reaches the classifiers that declare the interface, with
    /// that instance's own labels, and never a word list that does not learn.
    @Test func decisionsReachOnlyTheConfiguredLearners() async throws {
        let dir = try Self.corpus(SpamCorpus.messages(count: 100, seed: 5))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let registry = try Self.registry(["corpus": .string(dir + "/corpus.tsv")])
        defer { Task { await registry.stopAll() } }
        try registry.loadModule(at: TestEnvironment.wordlistModule)
        #expect(registry.createInstances([InstanceConfig(name: "words", pluginID: "org.kinora.moderation-wordlist", settings: ["words": ["x"]])]).isEmpty)
        registry.startAll()
        var policy = ModerationConfig()
        policy.classifiers = ["words", "bayes"]
        policy.classifierTimeoutMs = 30_000
        let feedback = DecisionFeedback(registry: registry, policy: policy)
        #expect(feedback.learners.map(\.instance.name) == ["bayes"])

        let text = "cheap bonus editing tips for your music video"
        let client = try #require(registry.moderation(named: "bayes"))
        let before = try await Self.score(client, text)
        let verdict = await ModerationPipeline(registry: registry, policy: policy).classify(text: text)
        let decided = DecidedContent(
            text: text, action: .approve, reason: "a joke", itemID: "m1", targetType: .comment, targetID: "c1", signals: verdict.queueSignals)
        let details = DecisionFeedback.details(decided, for: "bayes")
        #expect(details["action"] == "approve" && details["target_type"] == "comment" && details["item_id"] == "m1")
        #expect(details["labels"]?[0]?["name"] == "spam" && details["labels"]?[0]?["score"]?.doubleValue == before)
        #expect(DecisionFeedback.details(decided, for: "words")["labels"] == [], "only the instance's own labels")

        await feedback.send(decided).value
        #expect(try await Self.score(client, text) < before, "the approval was learnt")
        policy.classifiers = ["words", "gone"]
        #expect(DecisionFeedback(registry: registry, policy: policy).learners.isEmpty, "no learner configured: nothing is sent")
    }
}
