import Foundation
import KinoraCore
import KinoraStore

/// What the console's moderation pages show: each queue item with its target (the comment's
/// text, the video's title, the account's name) and every signal that put it there, and the
/// audit log with who did what to what and why. Plain strings and flags prepared here; the
/// templates print them with `{{ }}` escaping, so a comment's `<script>` is text there too.
///
/// Every key a template's section tests is set on every row, true or false: a missing key
/// would be looked up in the page around it (where `user` is the signed-in account).
enum ModerationViews {
    /// What the page needs to know of an item's target, looked up by the route.
    enum Target {
        case comment(CommentRecord, videoTitle: String?)
        case video(VideoRecord, owner: String?)
        case user(UserRecord)
        case gone
    }

    static let actionLabels: [ModerationAction: String] = [
        .approve: "Approve", .remove: "Remove", .warn: "Warn", .suspend: "Suspend", .ban: "Ban", .lift: "Lift restrictions",
    ]

    /// The decisions that make sense for a target: an account is not "removed".
    static func actions(for type: ModerationTarget) -> [ModerationAction] {
        type == .user ? [.approve, .warn, .suspend, .ban] : [.approve, .remove, .warn, .suspend, .ban]
    }

    static var bulkActions: [[String: Any]] {
        actions(for: .comment).map { ["value": $0.rawValue, "label": actionLabels[$0] ?? $0.rawValue] }
    }

    static func item(_ item: ModerationItem, target: Target) -> [String: Any] {
        let open = item.state == "open"
        var row: [String: Any] = [
            "id": item.id, "targetType": item.targetType.rawValue, "targetID": item.targetID, "state": item.state, "open": open,
            "hidden": item.hidden, "flagged": AccountRequests.iso(item.updatedAt),
            "typeLabel": ["comment": "Comment", "video": "Video", "user": "Account"][item.targetType.rawValue] ?? item.targetType.rawValue,
            "targetComment": false, "targetVideo": false, "targetUser": false, "targetGone": false,
        ]
        switch target {
        case .comment(let comment, let title):
            row["targetComment"] =
                [
                    "author": comment.authorUsername ?? "deleted account",
                    "body": comment.status == .deleted ? "[deleted by its author]" : comment.body,
                    "status": comment.status.rawValue, "videoID": comment.videoID, "videoTitle": title ?? "a deleted video",
                    "isReply": comment.parentID != nil,
                ] as [String: Any]
        case .video(let video, let owner):
            row["targetVideo"] =
                [
                    "videoID": video.id, "title": video.title.isEmpty ? "Untitled" : video.title, "owner": owner ?? "no account",
                    "visibility": video.visibility, "description": video.description, "hasDescription": !video.description.isEmpty,
                ] as [String: Any]
        case .user(let user):
            row["targetUser"] =
                [
                    "username": user.username, "displayName": user.displayName == user.username ? "" : user.displayName,
                    "hasDisplayName": !user.displayName.isEmpty && user.displayName != user.username,
                ] as [String: Any]
        case .gone:
            row["targetGone"] = true
        }
        let reports = item.reportCounts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { reason, count -> [String: Any] in
            ["reason": reason, "label": reasonLabel(reason), "count": count, "one": count == 1]
        }
        let signals = item.signals
        let notes = signals.filter { $0.kind == .report && !($0.detail ?? "").isEmpty }.map { signal -> [String: Any] in
            ["reason": signal.source, "label": reasonLabel(signal.source), "detail": signal.detail ?? ""]
        }
        let classifiers = signals.filter { $0.kind == .classifier }.map { signal -> [String: Any] in
            [
                "source": signal.source, "label": signal.label ?? "no label",
                "score": signal.score.map { String(format: "%.2f", $0) } ?? "no score",
            ]
        }
        let rules = signals.filter { $0.kind == .rule }.map { signal -> [String: Any] in
            ["source": signal.source, "detail": signal.detail ?? "", "hasDetail": !(signal.detail ?? "").isEmpty]
        }
        row["reports"] = reports
        row["reportNotes"] = notes
        row["classifiers"] = classifiers
        row["rules"] = rules
        row["noSignals"] = reports.isEmpty && classifiers.isEmpty && rules.isEmpty
        row["actions"] = actions(for: item.targetType).map { action -> [String: Any] in
            [
                "value": action.rawValue, "label": actionLabels[action] ?? action.rawValue,
                "style": action == .approve ? "" : action == .warn ? "secondary" : "danger-button",
            ]
        }
        return row
    }

    static func reasonLabel(_ reason: String) -> String {
        ReportReason(rawValue: reason).flatMap { CommentViews.reasonLabels[$0] } ?? reason
    }

    /// One line of the audit log: `moderator` is the account's name (nil: the bootstrap
    /// token, or a deleted account), `target` a few words of what was decided on.
    static func audit(_ entry: AuditEntry, moderator: String?, target: (text: String, link: String?)) -> [String: Any] {
        [
            "id": entry.id, "when": AccountRequests.iso(entry.createdAt), "moderator": moderator ?? "—",
            "action": entry.action.rawValue, "actionLabel": actionLabels[entry.action] ?? entry.action.rawValue,
            "targetType": entry.targetType.rawValue, "targetText": target.text, "hasLink": target.link != nil, "link": target.link ?? "",
            "reason": entry.reason,
        ]
    }

    /// The console's tabs over the queue and the log.
    static func tabs(_ current: String) -> [[String: Any]] {
        [
            ("open", "Open", "/admin/moderation"), ("resolved", "Resolved", "/admin/moderation?state=resolved"),
            ("audit", "Audit log", "/admin/moderation/audit"),
        ]
        .map { ["label": $0.1, "href": $0.2, "current": $0.0 == current] }
    }
}
