import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraStore
import Logging

/// One moderator's decision on content, as the classifiers that learn receive it.
public struct DecidedContent: Sendable {
    /// What was decided on: a comment's text, or a video's title, description and tags.
    public var text: String
    public var action: ModerationAction
    public var reason: String
    /// The queue item, what it is about, and its signals (each classifier's labels).
    public var itemID: String
    public var targetType: ModerationTarget
    public var targetID: String
    public var signals: [ModerationSignal]

    public init(
        text: String, action: ModerationAction, reason: String, itemID: String, targetType: ModerationTarget, targetID: String,
        signals: [ModerationSignal]
    ) {
        self.text = text
        self.action = action
        self.reason = reason
        self.itemID = itemID
        self.targetType = targetType
        self.targetID = targetID
        self.signals = signals
    }

    public init(text: String, action: ModerationAction, reason: String, item: ModerationItem) {
        self.init(
            text: text, action: action, reason: reason, itemID: item.id, targetType: item.targetType, targetID: item.targetID,
            signals: item.signals)
    }
}

/// Hands moderators' decisions to the `[moderation] classifiers` that declare
/// `kinora.moderation.feedback/1`, so a spam filter learns from each approve and remove.
///
/// Fire and forget: ``send(_:requestID:)`` starts the calls and returns at once, so a decision
/// never waits on (or fails because of) a plugin. Each call runs on the plugin call pool with
/// a deadline of ``timeout``; a failure or a timeout is logged, never retried.
///
/// ```swift
/// let feedback = DecisionFeedback(registry: registry, policy: config.moderation)
/// feedback.send(DecidedContent(text: comment.body, action: .approve, reason: "fine", item: item))
/// ```
public struct DecisionFeedback: Sendable {
    let registry: PluginRegistry
    let policy: ModerationConfig
    let logger: Logger

    /// How long one plugin gets to learn from one decision (the call's deadline).
    public static let timeout = Duration.seconds(10)

    public init(registry: PluginRegistry, policy: ModerationConfig, logger: Logger? = nil) {
        self.registry = registry
        self.policy = policy
        self.logger = logger ?? registry.environment.logger
    }

    /// The classifiers that would be told: started, named in `[moderation] classifiers`, and
    /// declaring the interface.
    public var learners: [ModerationClient] {
        policy.classifiers.compactMap { registry.moderation(named: $0) }.filter(\.takesFeedback)
    }

    /// The details object one instance gets beside the decision: what it said about the item
    /// when it classified it (`labels`), and the decision itself.
    public static func details(_ decided: DecidedContent, for instance: String, requestID: String? = nil) -> JSONValue {
        let labels: [JSONValue] = decided.signals.compactMap { signal in
            guard signal.kind == .classifier, signal.source == instance, let label = signal.label, let score = signal.score else { return nil }
            return ["name": .string(label), "score": .double(score)]
        }
        return [
            "action": .string(decided.action.rawValue), "reason": .string(decided.reason), "item_id": .string(decided.itemID),
            "target_type": .string(decided.targetType.rawValue), "target_id": .string(decided.targetID),
            "labels": .array(labels),
        ]
    }

    /// Starts the feedback calls and returns without waiting for them.
    ///
    /// - Returns: The task running the calls (tests await it; the daemon does not).
    @discardableResult
    public func send(_ decided: DecidedContent, requestID: String? = nil) -> Task<Void, Never> {
        let learners = self.learners
        guard !learners.isEmpty, !decided.text.isEmpty else { return Task {} }
        let label = FeedbackLabel(action: decided.action.rawValue)
        let logger = self.logger
        return Task.detached {
            await withTaskGroup(of: Void.self) { group in
                for client in learners {
                    group.addTask {
                        await Self.tell(client, decided, label: label, requestID: requestID, logger: logger)
                    }
                }
            }
        }
    }

    /// One call, raced against the timeout: past it the call is cancelled (the plugin sees
    /// `is_cancelled` and its deadline) and the warning logged; its late end is waited for
    /// here, off the decision's path.
    static func tell(_ client: ModerationClient, _ decided: DecidedContent, label: FeedbackLabel, requestID: String?, logger: Logger) async {
        let instance = client.instance.name
        let object = Self.details(decided, for: instance)
        let call = Task {
            try await client.feedback(text: decided.text, label: label, decision: object, requestID: requestID, timeout: Self.timeout)
        }
        let watchdog = Task {
            try await Task.sleep(for: Self.timeout)
            call.cancel()
            logger.warning("moderation feedback to \(instance) timed out after \(Self.timeout)", metadata: ["item": "\(decided.itemID)"])
        }
        defer { watchdog.cancel() }
        do {
            try await call.value
            logger.debug("moderation feedback delivered to \(instance)", metadata: ["item": "\(decided.itemID)", "label": "\(label.rawValue)"])
        } catch let error as PluginCallError where error.status == .unsupported {
            logger.debug("moderation feedback: \(instance) does not learn from this content: \(error.message)")
        } catch {
            logger.warning("moderation feedback to \(instance) failed: \(error)", metadata: ["item": "\(decided.itemID)"])
        }
    }
}

extension ModerationDesk {
    /// The content a decision on `item` is about, read before the decision acts on it: a
    /// comment's text, a video's words as the classifiers read them (title, description and
    /// tags, one a line); nil for an account (nothing to learn).
    func decidedText(_ item: ModerationItem) throws -> String? {
        switch item.targetType {
        case .comment:
            guard let body = try database.comments.find(item.targetID)?.body, !body.isEmpty else { return nil }
            return body
        case .video:
            guard let video = try database.videos.find(item.targetID) else { return nil }
            // What the classifiers read when they screened it.
            let text = VideoScreening.text(
                title: video.title, description: video.description, tags: try database.videos.tags(videoID: video.id))
            return text.isEmpty ? nil : text
        case .user:
            return nil
        }
    }

    /// The feedback sender over the pipeline's registry and policy.
    var feedback: DecisionFeedback {
        DecisionFeedback(registry: comments.moderation.registry, policy: comments.moderation.policy)
    }
}
