import KinoraJSON
import KinoraPluginABI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The behaviour every `kinora.moderation.feedback/1` instance must show: both labels on text
/// accepted (or text refused as unsupported), the instance still classifying afterwards, a
/// label other than the two refused as invalid argument, and exactly one completion per call.
///
/// ```swift
/// try ModerationConformance.feedback(plugin, text: "cheap pills", label: "violation")
/// ```
extension ModerationConformance {
    /// What the host sends beside a decision (see `kinora/plugin.h`), for a comment the
    /// instance flagged.
    public static func sampleDecision(action: String) -> String {
        JSONValue.object([
            "action": .string(action), "reason": "conformance", "item_id": "m-conformance", "target_type": "comment",
            "target_id": "c-conformance", "labels": [["name": "spam", "score": 0.75]],
        ]).jsonString
    }

    static func makeFeedback(_ name: String, _ summary: String, _ body: @escaping @Sendable (PluginUnderTest) throws -> Void) -> ConformanceCase {
        ConformanceCase(interface: KN_MODERATION_FEEDBACK_ID, name: name, summary: summary, body: body)
    }

    public static let feedbackCases: [ConformanceCase] = [
        makeFeedback(
            "feedback-accepted", "clean and violation feedback on text complete OK (or unsupported), and classify still answers",
            feedbackAccepted),
        makeFeedback("feedback-bad-label", "a label other than clean and violation is refused as invalid argument", feedbackBadLabel),
        makeFeedback("feedback-completes-once", "every feedback call completes exactly once, on success and on failure", feedbackCompletesOnce),
    ]

    /// Sends one decision on `source`'s bytes.
    ///
    /// - Throws: ``PluginCallFailure`` when the plugin refused.
    public static func feedback(
        _ plugin: PluginUnderTest, mediaType: String = textType, source: ChunkSource, label: String, decisionJSON: String
    ) throws {
        try feedbackKeepingBox(plugin, mediaType: mediaType, source: source, label: label, decisionJSON: decisionJSON).0.get()
    }

    /// Sends one decision on UTF-8 text: `label` "clean" stands for an approval, anything
    /// else is sent as is with a "remove" decision.
    public static func feedback(_ plugin: PluginUnderTest, text: String, label: String) throws {
        try feedback(
            plugin, source: ChunkSource(bytes: Array(text.utf8)), label: label,
            decisionJSON: sampleDecision(action: label == KN_FEEDBACK_CLEAN ? "approve" : "remove"))
    }

    static func feedbackKeepingBox(
        _ plugin: PluginUnderTest, mediaType: String, source: ChunkSource, label: String, decisionJSON: String
    ) throws -> (Result<Void, any Error>, CallBox) {
        guard let table = plugin.table(KN_MODERATION_FEEDBACK_ID, as: kn_moderation_feedback_v1_t.self) else {
            throw ConformanceFailure("the instance returns no \(KN_MODERATION_FEEDBACK_ID) table")
        }
        guard let feedback = table.pointee.feedback else { throw ConformanceFailure("\(KN_MODERATION_FEEDBACK_ID): the table's feedback is NULL") }
        let reader = ReaderBox(source)
        return PluginCallRunner.performKeepingBox(plugin, what: "feedback", decode: { _ in () }) { call, done, box in
            box.keepAlive.append(reader)
            feedback(plugin.raw, call, box.cString(mediaType), reader.reader, box.cString(label), box.cString(decisionJSON), done)
        }
    }

    /// Texts that read like a comment, so a learning plugin learns something harmless.
    static let conformanceTexts = (
        clean: "Thanks for the video, the harbour shots at dusk are lovely.",
        violation: "Conformance check: cheap watches at a discount, click now."
    )

    static func feedbackAccepted(_ plugin: PluginUnderTest) throws {
        for (text, label) in [(conformanceTexts.clean, KN_FEEDBACK_CLEAN), (conformanceTexts.violation, KN_FEEDBACK_VIOLATION)] {
            do {
                try feedback(plugin, text: text, label: label)
            } catch let error as PluginCallFailure {
                try expect(error.status == KN_E_UNSUPPORTED, "\(label) feedback on text: expected OK or unsupported, got \(error)")
            }
        }
        // Learning must leave the instance able to classify (both texts, and new ones).
        if plugin.interfaces.contains(KN_MODERATION_ID) {
            for text in [conformanceTexts.clean, conformanceTexts.violation, "a new comment after the feedback"] {
                try checkVerdict(try classify(plugin, text: text))
            }
        }
    }

    static func feedbackBadLabel(_ plugin: PluginUnderTest) throws {
        for label in ["maybe", "", "CLEAN"] {
            try expectStatus(KN_E_INVALID_ARGUMENT, "feedback with label \"\(label)\"") {
                try feedback(
                    plugin, source: ChunkSource(bytes: Array(conformanceTexts.clean.utf8)), label: label,
                    decisionJSON: sampleDecision(action: "approve"))
            }
        }
    }

    static func feedbackCompletesOnce(_ plugin: PluginUnderTest) throws {
        let text = ChunkSource(bytes: Array(conformanceTexts.clean.utf8))
        let calls = [
            ("clean", try feedbackKeepingBox(plugin, mediaType: textType, source: text, label: KN_FEEDBACK_CLEAN, decisionJSON: sampleDecision(action: "approve")).1),
            (
                "bad label",
                try feedbackKeepingBox(
                    plugin, mediaType: textType, source: ChunkSource(bytes: [0x61]), label: "maybe", decisionJSON: sampleDecision(action: "approve")).1
            ),
            (
                "failing reader",
                try feedbackKeepingBox(plugin, mediaType: textType, source: failingSource(), label: KN_FEEDBACK_VIOLATION, decisionJSON: sampleDecision(action: "ban")).1
            ),
            (
                "unknown type",
                try feedbackKeepingBox(
                    plugin, mediaType: "application/x-kinora-conformance", source: ChunkSource(bytes: [1]), label: KN_FEEDBACK_VIOLATION,
                    decisionJSON: sampleDecision(action: "remove")).1
            ),
        ]
        usleep(200_000)
        for (what, box) in calls {
            try expect(box.completions == 1, "feedback (\(what)) completed \(box.completions) times")
        }
    }
}
