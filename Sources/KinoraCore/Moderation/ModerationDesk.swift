import Foundation
import KinoraConfiguration
import KinoraStore

/// Reports, the queue moderators work through, and their decisions: who may report what
/// (only what they can see), the reporters' pace, hiding after `reports_to_hide` distinct
/// reporters, and what each decision does to its target.
public struct ModerationDesk: Sendable {
    let database: KinoraDatabase
    let comments: Comments
    let policy: ModerationConfig

    /// Reports one account may file per hour.
    public static let reportsPerHour = 30

    public init(database: KinoraDatabase, comments: Comments, policy: ModerationConfig) {
        self.database = database
        self.comments = comments
        self.policy = policy
    }

    /// `{"target_type", "target_id", "reason", "detail"?}` by a signed-in account; 404 when the
    /// reporter cannot see the target, 409 when they reported it already.
    public func report(_ body: [String: JSONValue], by viewer: Viewer) throws -> (itemID: String, hidden: Bool) {
        guard let reporterID = viewer.userID else { throw Refused(.forbidden, "reports are filed by accounts") }
        try BodyFields.refuseUnknownKeys(body, allowed: ["target_type", "target_id", "reason", "detail"])
        guard let type = body["target_type"]?.stringValue.flatMap(ModerationTarget.init(rawValue:)) else {
            throw InvalidField("target_type", "target_type must be video, comment or user")
        }
        guard let targetID = body["target_id"]?.stringValue, !targetID.isEmpty, targetID.count <= 64 else {
            throw InvalidField("target_id", "target_id is required")
        }
        guard let reason = body["reason"]?.stringValue.flatMap(ReportReason.init(rawValue:)) else {
            throw InvalidField("reason", "reason must be one of \(ReportReason.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let detail = try BodyFields.text(body, "detail", max: 1000, multiline: true) ?? ""
        try checkVisible(type, targetID, to: viewer)
        let recent = try database.moderation.recentReports(reporterID: reporterID, since: Date().addingTimeInterval(-3600))
        if recent >= Self.reportsPerHour {
            throw Refused(.rateLimited, "at most \(Self.reportsPerHour) reports an hour", retryAfter: 600)
        }
        let filed: (itemID: String, reporters: Int)
        do {
            filed = try database.moderation.report(reporterID: reporterID, target: type, targetID: targetID, reason: reason, detail: detail)
        } catch is DuplicateReport {
            throw Refused(.alreadyReported, "you have an open report on this \(type.rawValue) already")
        }
        var hidden = false
        if filed.reporters >= policy.reportsToHide, try database.moderation.hide(type, targetID) {
            hidden = true
            // A hidden comment is held: out of every listing but its author's and moderators'.
            if type == .comment, let comment = try database.comments.find(targetID), comment.status == .published {
                _ = try database.comments.setStatus(id: targetID, status: .held)
            }
            // A hidden video is held (the store): caches and other nodes drop what they knew.
            if type == .video { database.events.publish(.video(targetID)) }
        }
        return (filed.itemID, hidden)
    }

    /// `{"action", "reason", "days"?}` on one open item; answers the item as resolved. The
    /// classifiers that learn (`kinora.moderation.feedback/1`) are then told, without waiting.
    public func decide(_ itemID: String, _ body: [String: JSONValue], by moderator: Viewer, requestID: String? = nil) throws -> ModerationItem {
        guard moderator.isModerator else { throw Refused(.forbidden, "decisions are for moderators and admins") }
        try BodyFields.refuseUnknownKeys(body, allowed: ["action", "reason", "days"])
        let (action, reason, days) = try Self.decision(body)
        guard let item = try database.moderation.item(itemID), item.state == "open" else { throw Refused(.notFound, "no open moderation item \(itemID)") }
        // Read before the decision acts on the target: the classifiers learn what the moderator saw.
        let text = try decidedText(item)
        try apply(action, to: item, reason: reason, days: days, by: moderator)
        guard let decided = try database.moderation.decide(itemID: itemID, moderatorID: moderator.userID, action: action, reason: reason) else {
            throw Refused(.notFound, "moderation item \(itemID) was decided meanwhile")
        }
        // The decision released a held video (the store).
        if decided.targetType == .video { database.events.publish(.video(decided.targetID)) }
        if let text { feedback.send(DecidedContent(text: text, action: action, reason: reason, item: item), requestID: requestID) }
        tellOwner(decided, action: action, reason: reason)
        return decided
    }

    /// One decision for many items (`{"items": [...], "action", "reason"}`); answers each item's
    /// outcome, so one that was decided meanwhile does not stop the others.
    public func decideAll(_ body: [String: JSONValue], by moderator: Viewer, requestID: String? = nil) throws -> [(id: String, status: Int)] {
        guard moderator.isModerator else { throw Refused(.forbidden, "decisions are for moderators and admins") }
        guard let ids = body["items"]?.arrayValue?.compactMap(\.stringValue), !ids.isEmpty, ids.count <= 100 else {
            throw InvalidField("items", "items must list 1 to 100 item ids")
        }
        var single = body
        single["items"] = nil
        return try ids.map { id in
            do {
                _ = try decide(id, single, by: moderator, requestID: requestID)
                return (id, 200)
            } catch let refused as Refused where refused.problemType == .notFound {
                return (id, 404)
            }
        }
    }

    /// Lifts an account's suspension and ban (`{"reason"}`), audited as `lift`.
    public func lift(userID: String, _ body: [String: JSONValue], by moderator: Viewer) throws {
        guard moderator.isModerator else { throw Refused(.forbidden, "lifting restrictions is for moderators and admins") }
        try BodyFields.refuseUnknownKeys(body, allowed: ["reason"])
        guard let reason = try BodyFields.text(body, "reason", max: 500, allowEmpty: false) else {
            throw InvalidField("reason", "lifting gives its reason (1 to 500 characters)")
        }
        guard userID.count <= 64, try database.moderation.setAccountRestriction(userID: userID, suspendedUntil: nil, banned: false) else {
            throw Refused(.notFound, "no account \(userID)")
        }
        try database.moderation.record(moderatorID: moderator.userID, target: .user, targetID: userID, action: .lift, reason: reason)
    }

    static func decision(_ body: [String: JSONValue]) throws -> (ModerationAction, String, Int) {
        guard let action = body["action"]?.stringValue.flatMap(ModerationAction.init(rawValue:)), action != .lift else {
            throw InvalidField("action", "action must be approve, remove, warn, suspend or ban")
        }
        guard let reason = try BodyFields.text(body, "reason", max: 500, allowEmpty: false) else {
            throw InvalidField("reason", "a decision gives its reason (1 to 500 characters)")
        }
        var days = 7
        if let value = body["days"] {
            guard let number = value.intValue, (1...3650).contains(number) else { throw InvalidField("days", "days must be 1 to 3650") }
            days = Int(number)
        }
        return (action, reason, days)
    }

    /// The owner of the content hears of the decision; an approved comment now tells those it
    /// replies to and mentions. Written after the decision, which stands if this fails.
    func tellOwner(_ item: ModerationItem, action: ModerationAction, reason: String) {
        guard let notifier = comments.notifier, item.targetType == .video || item.targetType == .comment else { return }
        try? notifier.moderationDecided(
            auditID: item.id, targetType: item.targetType.rawValue, targetID: item.targetID, action: action.rawValue, reason: reason)
        if action == .approve, item.targetType == .comment, let comment = try? database.comments.find(item.targetID) {
            try? notifier.commentPosted(comment)
        }
    }

    /// What the decision does to the target: approve publishes a held comment; remove removes a
    /// comment or makes a video private; suspend and ban restrict the account behind the target.
    func apply(_ action: ModerationAction, to item: ModerationItem, reason: String, days: Int, by moderator: Viewer) throws {
        switch (action, item.targetType) {
        case (.approve, .comment):
            if let comment = try database.comments.find(item.targetID), comment.status == .held {
                _ = try database.comments.setStatus(id: item.targetID, status: .published)
            }
        case (.remove, .comment):
            _ = try database.comments.remove(id: item.targetID, reason: reason)
        case (.remove, .video):
            if try database.videos.setVisibility(item.targetID, "private") { database.events.publish(.video(item.targetID)) }
        case (.remove, .user):
            throw InvalidField("action", "an account is suspended or banned, not removed")
        case (.suspend, _), (.ban, _):
            guard let userID = try accountBehind(item) else { throw InvalidField("action", "no account is behind this \(item.targetType.rawValue)") }
            let until = action == .suspend ? Date().addingTimeInterval(Double(days) * 86400) : nil
            _ = try database.moderation.setAccountRestriction(userID: userID, suspendedUntil: until, banned: action == .ban)
            if action == .ban { _ = try database.users.revokeAll(userID: userID) }
        case (.approve, _), (.warn, _), (.lift, _):
            break
        }
    }

    func accountBehind(_ item: ModerationItem) throws -> String? {
        switch item.targetType {
        case .user: item.targetID
        case .comment: try database.comments.find(item.targetID)?.authorID
        case .video: try database.videos.find(item.targetID)?.ownerID
        }
    }

    func checkVisible(_ type: ModerationTarget, _ id: String, to viewer: Viewer) throws {
        switch type {
        case .video: _ = try comments.visibleVideo(id, to: viewer)
        case .comment: _ = try comments.visible(id, to: viewer)
        case .user:
            guard try database.users.find(id: id) != nil else { throw Refused(.notFound, "no account \(id)") }
        }
    }
}
