import Foundation

/// What a report or a queue item is about.
public enum ModerationTarget: String, Sendable, CaseIterable, Codable {
    case video, comment, user
}

/// The fixed taxonomy of report reasons.
public enum ReportReason: String, Sendable, CaseIterable, Codable {
    case spam, harassment, hate, violence, sexual, misinformation, copyright, other
}

/// A moderator's decision on a queue item.
public enum ModerationAction: String, Sendable, CaseIterable, Codable {
    case approve, remove, warn, suspend, ban
    /// Lifting a suspension or a ban (not a queue decision: an account action).
    case lift
}

/// Why an item is in the queue: one classifier label, one report, or a policy rule.
public struct ModerationSignal: Sendable, Hashable {
    public enum Kind: String, Sendable { case classifier, report, rule }

    public var kind: Kind
    /// The classifier instance, the report reason, or the rule that fired.
    public var source: String
    public var label: String?
    public var score: Double?
    /// The reporter's words, or the rule's explanation.
    public var detail: String?
    public var createdAt: Date

    public init(kind: Kind, source: String, label: String? = nil, score: Double? = nil, detail: String? = nil, createdAt: Date = Date()) {
        self.kind = kind
        self.source = source
        self.label = label
        self.score = score
        self.detail = detail
        self.createdAt = createdAt
    }
}

/// One item of the moderation queue with every signal that put it there.
public struct ModerationItem: Sendable, Hashable {
    public var id: String
    public var targetType: ModerationTarget
    public var targetID: String
    public var state: String
    /// Hidden from everyone but its author and moderators until decided (reports past the policy's threshold).
    public var hidden: Bool
    public var createdAt: Date
    public var updatedAt: Date
    public var resolvedAt: Date?
    public var signals: [ModerationSignal]
    /// Open reports per reason, from distinct reporters.
    public var reportCounts: [String: Int]
}

/// One page of the queue or of the audit log.
public struct ModerationPage<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: String?
}

/// One decision, as the audit log keeps it.
public struct AuditEntry: Sendable, Hashable {
    public var id: String
    public var moderatorID: String?
    public var itemID: String?
    public var targetType: ModerationTarget
    public var targetID: String
    public var action: ModerationAction
    public var reason: String
    public var createdAt: Date
}

/// The reporter already has an open report on this target.
public struct DuplicateReport: Error, Sendable {}
