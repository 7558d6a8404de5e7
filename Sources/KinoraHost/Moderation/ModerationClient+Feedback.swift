import KinoraConfiguration
import KinoraPluginABI

/// The two sides of a moderator's decision, as `kinora.moderation.feedback/1` spells them: the
/// host maps every action to one of them, so a plugin learns without knowing the actions.
///
/// ```swift
/// let label = FeedbackLabel(action: "remove")  // .violation
/// ```
public enum FeedbackLabel: String, Sendable, CaseIterable {
    /// `approve`: the content is acceptable (a spam filter's ham).
    case clean
    /// `remove`, `warn`, `suspend`, `ban`: the content broke a rule (a spam filter's spam).
    case violation

    /// `approve` is clean; every other action (`remove`, `warn`, `suspend`, `ban`) says the
    /// content broke a rule.
    public init(action: String) {
        self = action == "approve" ? .clean : .violation
    }

    var cString: String {
        switch self {
        case .clean: KN_FEEDBACK_CLEAN
        case .violation: KN_FEEDBACK_VIOLATION
        }
    }
}

extension ModerationClient {
    /// Whether the instance learns from moderators' decisions (`kinora.moderation.feedback/1`).
    public var takesFeedback: Bool { feedbackTable != nil }

    /// Hands one moderator's decision on `text` to the instance (`kinora.moderation.feedback/1`).
    ///
    /// ```swift
    /// if let classifier = registry.moderation(named: "bayes"), classifier.takesFeedback {
    ///     try await classifier.feedback(
    ///         text: comment.body, label: .clean,
    ///         decision: ["action": "approve", "reason": "a joke", "labels": []], timeout: .seconds(10))
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - text: The content decided on, sent as `text/plain; charset=utf-8`.
    ///   - label: Which side the decision is on.
    ///   - decision: The details object (`action`, `reason`, `item_id`, `target_type`,
    ///     `target_id`, `labels`) described in `kinora/plugin.h`.
    ///   - requestID: The decision's request, for the plugin's log lines.
    ///   - timeout: Becomes the call's deadline; the plugin should give up past it.
    /// - Throws: ``PluginCallError`` with the plugin's status (`.unsupported` when the instance
    ///   lacks the interface or does not learn from text).
    public func feedback(
        text: String, label: FeedbackLabel, decision: JSONValue, requestID: String? = nil, timeout: Duration = .seconds(10)
    ) async throws {
        guard let feedbackTable else {
            throw PluginCallError(status: .unsupported, message: "no \(KN_MODERATION_FEEDBACK_ID) interface", instance: instance.name)
        }
        let bytes = Array(text.utf8)
        let bridge = ReaderBridge(whole: bytes)
        try await instance.invoke(
            requestID: requestID, deadline: .now + timeout, strings: ["text/plain; charset=utf-8", label.cString, decision.jsonString],
            { plugin, call, s, done in
                feedbackTable.pointee.feedback?(plugin, call, s[0], bridge.reader(sizeHint: Int64(bytes.count)), s[1], s[2], done)
            },
            decode: { _ in () }, finished: { bridge.consumerFinished() })
    }
}
