import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraStore

/// Comments on videos: who may post, read, edit and remove them, under the video's visibility
/// (a comment of a video the caller may not see is not found), the comment switches of the
/// video and its channel, the `[moderation]` limits, and the moderation pipeline, which
/// decides before `POST` answers whether a comment is published, held or removed.
public struct Comments: Sendable {
    let database: KinoraDatabase
    let moderation: ModerationPipeline
    let policy: ModerationConfig
    let pace: CommentPace
    /// Tells the replied-to and the mentioned; nil where nobody is told (tools, tests).
    public let notifier: Notifier?

    public init(database: KinoraDatabase, moderation: ModerationPipeline, policy: ModerationConfig, pace: CommentPace, notifier: Notifier? = nil) {
        self.database = database
        self.moderation = moderation
        self.policy = policy
        self.pace = pace
        self.notifier = notifier
    }

    /// A new comment or reply (`body`, optional `parent_id`) by `author` on a video they may see.
    public func post(videoID: String, _ body: [String: JSONValue], by author: Viewer, requestID: String? = nil) async throws -> CommentRecord {
        guard let authorID = author.userID else { throw Refused(.forbidden, "comments are posted by accounts") }
        try AccountRestrictions.checkMayPost(database, userID: authorID)
        let video = try visibleVideo(videoID, to: author)
        guard try database.comments.commentsAllowed(videoID: video.id) != false else {
            throw Refused(.commentsDisabled, "comments are turned off for this video")
        }
        try BodyFields.refuseUnknownKeys(body, allowed: ["body", "parent_id"])
        let text = try checkedText(body, authorID: authorID)
        var parentID: String?
        if let parent = body["parent_id"] {
            guard let id = parent.stringValue, !id.isEmpty, id.count <= 64 else { throw InvalidField("parent_id", "parent_id must be a comment id") }
            parentID = id
        }
        try pace.take(authorID, perMinute: policy.commentsPerMinute)
        let verdict = await moderation.classify(text: text, requestID: requestID)
        do {
            let comment = try database.comments.create(
                videoID: video.id, parentID: parentID, authorID: authorID, body: text, status: Self.status(verdict))
            // Held or removed: into the queue with every signal, so a moderator sees why.
            if verdict.action != .publish { try database.moderation.flag(.comment, comment.id, signals: verdict.queueSignals) }
            // The comment stands whether or not its notifications could be written: a held one
            // tells nobody until a moderator approves it (ModerationDesk).
            try? notifier?.commentPosted(comment)
            return comment
        } catch CommentError.parentNotFound {
            throw InvalidField("parent_id", "no comment \(parentID ?? "") to reply to")
        } catch CommentError.parentOnAnotherVideo {
            throw InvalidField("parent_id", "the comment replied to is on another video")
        } catch CommentError.videoNotFound {
            throw Refused(.notFound, "no video \(videoID)")
        }
    }

    /// Top-level comments of a video the caller may see, each with its first replies.
    public func list(videoID: String, sort: CommentSort, limit: Int, cursor: String?, viewer: Viewer) throws -> CommentThreadPage {
        let video = try visibleVideo(videoID, to: viewer)
        return try database.comments.listTopLevel(
            videoID: video.id, sort: sort, limit: limit, cursor: cursor, viewerID: viewer.userID, includeHidden: viewer.isModerator)
    }

    /// Direct replies of a comment the caller may see.
    public func replies(of commentID: String, limit: Int, cursor: String?, viewer: Viewer) throws -> CommentPage {
        let comment = try visible(commentID, to: viewer)
        return try database.comments.listReplies(
            parentID: comment.id, limit: limit, cursor: cursor, viewerID: viewer.userID, includeHidden: viewer.isModerator)
    }

    /// The comment, unless unknown, on a video the caller may not see, or hidden from them
    /// (held or removed, unless theirs or the caller moderates).
    public func visible(_ id: String, to viewer: Viewer) throws -> CommentRecord {
        guard id.count <= 64, let comment = try database.comments.find(id, viewerID: viewer.userID) else {
            throw Refused(.notFound, "no comment \(id)")
        }
        _ = try visibleVideo(comment.videoID, to: viewer)
        switch comment.status {
        case .published, .deleted: return comment
        case .held, .removed:
            guard viewer.isModerator || (viewer.userID != nil && viewer.userID == comment.authorID) else {
                throw Refused(.notFound, "no comment \(id)")
            }
            return comment
        }
    }

    /// The author changes the text; the previous one is kept, and the new one is moderated again.
    public func edit(_ id: String, _ body: [String: JSONValue], by viewer: Viewer, requestID: String? = nil) async throws -> CommentRecord {
        let comment = try visible(id, to: viewer)
        guard let authorID = viewer.userID, comment.authorID == authorID else { throw Refused(.forbidden, "only its author edits a comment") }
        guard comment.status != .removed else { throw Refused(.forbidden, "a removed comment cannot be edited") }
        try BodyFields.refuseUnknownKeys(body, allowed: ["body"])
        let text = try checkedText(body, authorID: authorID)
        let verdict = await moderation.classify(text: text, requestID: requestID)
        do {
            guard let edited = try database.comments.edit(id: comment.id, body: text, status: Self.status(verdict)) else {
                throw Refused(.notFound, "no comment \(id)")
            }
            if verdict.action != .publish { try database.moderation.flag(.comment, edited.id, signals: verdict.queueSignals) }
            return edited
        } catch CommentError.deleted {
            throw Refused(.notFound, "comment \(id) was deleted")
        }
    }

    /// The author deletes (for good, or leaving a tombstone above its replies); a moderator
    /// removes it with a reason, the text kept for the record.
    public func delete(_ id: String, reason: String?, by viewer: Viewer) throws {
        let comment = try visible(id, to: viewer)
        if let userID = viewer.userID, comment.authorID == userID {
            guard try database.comments.deleteByAuthor(comment.id) != nil else { throw Refused(.notFound, "no comment \(id)") }
            return
        }
        guard viewer.isModerator else { throw Refused(.forbidden, "only its author or a moderator removes a comment") }
        let why = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let why, !why.isEmpty, why.count <= 500, !why.containsControlCharacters(allowingNewlines: false) else {
            throw InvalidField("reason", "a moderator gives a reason (1 to 500 characters) to remove a comment")
        }
        guard try database.comments.remove(id: comment.id, reason: why) != nil else { throw Refused(.notFound, "no comment \(id)") }
    }

    /// The video's owner (or an admin) pins one of its published comments, or unpins with nil.
    public func pin(videoID: String, commentID: String?, by viewer: Viewer) throws {
        let video = try visibleVideo(videoID, to: viewer)
        guard VideoVisibility.canEdit(video, viewer) else { throw Refused(.forbidden, "only the video's owner pins a comment") }
        if let commentID {
            guard let comment = try database.comments.find(commentID), comment.videoID == video.id, comment.status == .published, comment.parentID == nil
            else {
                throw InvalidField("comment_id", "comment_id must name a published top-level comment of this video")
            }
        }
        try database.comments.pin(videoID: video.id, commentID: commentID)
    }

    func visibleVideo(_ id: String, to viewer: Viewer) throws -> VideoRecord {
        guard id.count <= 64, let video = try database.videos.find(id), VideoVisibility.canSee(video, viewer) else {
            throw Refused(.notFound, "no video \(id)")
        }
        return video
    }

    /// The body's text under the policy: present, within the length, without control
    /// characters but line breaks and tabs, and with links only as allowed.
    func checkedText(_ body: [String: JSONValue], authorID: String) throws -> String {
        guard let text = try BodyFields.text(body, "body", max: policy.maxCommentCharacters, multiline: true, allowEmpty: false) else {
            throw InvalidField("body", "body is required: 1 to \(policy.maxCommentCharacters) characters")
        }
        let links = CommentText.linkCount(text)
        if links > policy.maxLinks { throw InvalidField("body", "a comment carries at most \(policy.maxLinks) links") }
        if links > 0, policy.newAccountLinkHours > 0, let author = try database.users.find(id: authorID),
            Date().timeIntervalSince(author.createdAt) < policy.newAccountLinkHours * 3600
        {
            throw InvalidField("body", "links are allowed once an account is \(KinoraConfig.seconds(policy.newAccountLinkHours)) hours old")
        }
        return text
    }

    static func status(_ verdict: ModerationVerdict) -> CommentStatus {
        switch verdict.action {
        case .publish: .published
        case .hold: .held
        case .remove: .removed
        }
    }
}
