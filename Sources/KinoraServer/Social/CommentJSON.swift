import Foundation
import KinoraCore
import KinoraStore

/// A comment as the API answers it. A tombstone (deleted by its author, kept above its replies)
/// has no body and no author; a removed comment shows its reason to its author and moderators,
/// the only callers who see it. Each resolved @mention carries the handle of the account's
/// default channel (or null), so a page links the name only where there is a page to go to.
enum CommentJSON {
    /// A mentioned account: its id and its default channel's handle, if it has a channel.
    struct Mention {
        let id: String
        let channel: String?
    }

    static func object(_ comment: CommentRecord, mentions: [String: Mention]) -> [String: Any] {
        let tombstone = comment.status == .deleted
        var author: Any = NSNull()
        if !tombstone, let id = comment.authorID {
            author = ["id": id, "username": comment.authorUsername ?? NSNull(), "display_name": comment.authorDisplayName ?? NSNull()] as [String: Any]
        }
        let named: [[String: Any]] =
            tombstone
            ? []
            : CommentText.mentions(comment.body).compactMap { name in
                mentions[name].map { ["username": name, "id": $0.id, "channel": $0.channel ?? NSNull()] as [String: Any] }
            }
        return [
            "id": comment.id, "video_id": comment.videoID, "parent_id": comment.parentID ?? NSNull(), "author": author,
            "body": tombstone ? "" : comment.body, "status": comment.status.rawValue,
            "removed_reason": comment.status == .removed ? (comment.removedReason ?? NSNull()) : NSNull(),
            "created_at": SocialHTTP.date(comment.createdAt), "edited_at": comment.editedAt.map(SocialHTTP.date) ?? NSNull(),
            "likes": comment.likes, "dislikes": comment.dislikes, "reply_count": comment.replyCount,
            "my_rating": comment.myRating.rawValue, "mentions": named,
        ]
    }

    static func thread(_ thread: CommentThread, mentions: [String: Mention]) -> [String: Any] {
        var object = object(thread.comment, mentions: mentions)
        object["replies"] = thread.replies.map { Self.object($0, mentions: mentions) }
        object["replies_next_cursor"] = thread.moreRepliesCursor ?? NSNull()
        return object
    }

    /// Every @name the comments mention that is an account, with its channel: two queries
    /// whatever the number of comments.
    static func mentions(_ comments: [CommentRecord], database: KinoraDatabase) throws -> [String: Mention] {
        let names = Set(comments.filter { $0.status != .deleted }.flatMap { CommentText.mentions($0.body) })
        let found = try database.comments.usernames(for: names)
        let channels = try database.channels.defaultHandles(ownerIDs: found.values)
        return Dictionary(
            found.map { ($0.key.lowercased(), Mention(id: $0.value, channel: channels[$0.value])) }, uniquingKeysWith: { first, _ in first })
    }
}
