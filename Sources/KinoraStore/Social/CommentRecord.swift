import Foundation

/// Where a comment stands. Which statuses count where is decided here, once:
///
/// - a video's `comment_count` counts its `published` comments at every depth (what a viewer
///   can read);
/// - a comment's `reply_count` counts its direct replies that everyone sees: `published` ones
///   and `deleted` tombstones (which exist only while they have replies of their own).
///
/// `held` (waiting for a moderator) and `removed` (by a moderator) comments count nowhere; every
/// change of status moves the counters by the difference, in the same transaction.
public enum CommentStatus: String, Sendable, CaseIterable, Codable {
    case published
    case held
    case removed
    /// The tombstone an author's deletion leaves when the comment has replies: the body is
    /// emptied and the service renders "[deleted]".
    case deleted

    /// Counted in the video's `comment_count`.
    public var countsOnVideo: Bool { self == .published }

    /// Counted in the parent's `reply_count`.
    public var countsAsReply: Bool { self == .published || self == .deleted }
}

/// A viewer's rating of a video or a comment; `none` is the absence of a rating row.
public enum Rating: String, Sendable, CaseIterable, Codable {
    case like
    case dislike
    case none

    /// The stored value: 1, -1, or no row (0).
    public var value: Int {
        switch self {
        case .like: 1
        case .dislike: -1
        case .none: 0
        }
    }

    /// The rating a stored value stands for (nil: no row).
    public init(value: Int?) {
        switch value {
        case 1: self = .like
        case -1: self = .dislike
        default: self = .none
        }
    }
}

/// A comment as stored, with its author's names joined in (so a listing needs no query per
/// author) and, when a listing was asked for a viewer, that viewer's rating of it.
public struct CommentRecord: Sendable, Hashable {
    public var id: String
    public var videoID: String
    /// Nil for a top-level comment.
    public var parentID: String?
    /// Nil once the author's account is deleted (the comment stays).
    public var authorID: String?
    public var authorUsername: String?
    public var authorDisplayName: String?
    /// Empty for a `deleted` tombstone.
    public var body: String
    public var status: CommentStatus
    /// Why a moderator removed it (only for `removed`).
    public var removedReason: String?
    public var createdAt: Date
    public var editedAt: Date?
    public var likes: Int
    public var dislikes: Int
    /// `likes - dislikes`, the `top` order; kept by the same `UPDATE` that moves the counts.
    public var score: Int
    /// Direct replies everyone sees (see ``CommentStatus``).
    public var replyCount: Int
    /// The viewer's rating when the query named a viewer; `.none` otherwise.
    public var myRating: Rating

    /// A tombstone: show "[deleted]" in its place, keep its replies.
    public var isTombstone: Bool { status == .deleted }

    /// The columns ``init(row:)`` reads, for a query over `comments c`; `?` is the viewer's id
    /// (NULL for nobody).
    static let select = """
        SELECT c.id, c.video_id, c.parent_id, c.author_id, c.body, c.status, c.removed_reason, c.created_at, c.edited_at,
            c.likes, c.dislikes, c.score, c.reply_count, u.username AS author_username, u.display_name AS author_display_name,
            r.value AS my_rating
        FROM comments c
        LEFT JOIN users u ON u.id = c.author_id
        LEFT JOIN comment_ratings r ON r.comment_id = c.id AND r.user_id = ?
        """

    init(row: SQLRow) throws {
        id = try row.value("id")
        videoID = try row.value("video_id")
        parentID = row["parent_id"]
        authorID = row["author_id"]
        authorUsername = row["author_username"]
        authorDisplayName = row["author_display_name"]
        body = try row.value("body")
        let statusText: String = try row.value("status")
        guard let status = CommentStatus(rawValue: statusText) else { throw SQLError.decoding("comment status \"\(statusText)\"") }
        self.status = status
        removedReason = row["removed_reason"]
        createdAt = try row.value("created_at")
        editedAt = row["edited_at"]
        likes = try row.value("likes")
        dislikes = try row.value("dislikes")
        score = try row.value("score")
        replyCount = try row.value("reply_count")
        myRating = Rating(value: row["my_rating"])
    }
}

/// A top-level comment with its first replies (oldest first).
public struct CommentThread: Sendable, Hashable {
    public var comment: CommentRecord
    public var replies: [CommentRecord]
    /// Where ``CommentRepository/listReplies(parentID:limit:cursor:viewerID:includeHidden:)``
    /// goes on after `replies`; nil when they are all there is.
    public var moreRepliesCursor: String?
}

/// One page of top-level comments.
public struct CommentThreadPage: Sendable {
    /// The video's pinned comment, on the first page only (it is left out of every page).
    public var pinned: CommentThread?
    public var threads: [CommentThread]
    public var nextCursor: String?
}

/// One page of replies, oldest first.
public struct CommentPage: Sendable {
    public var comments: [CommentRecord]
    public var nextCursor: String?
}

/// A previous text of a comment, and when it was replaced.
public struct CommentEdit: Sendable, Hashable {
    public var body: String
    public var editedAt: Date
}

/// The order of top-level comments.
public enum CommentSort: String, Sendable, CaseIterable {
    /// Newest first: `(created_at, id)` descending.
    case new
    /// Highest `likes - dislikes` first, then newest: `(score, created_at, id)` descending.
    case top
}

/// What an author's deletion did.
public enum CommentDeletion: Sendable, Equatable {
    /// The row is gone (it had no replies).
    case deleted
    /// It had replies: it stays as a tombstone (`status = deleted`, empty body).
    case tombstoned
}

/// Why the store refused a change to comments; each is something the caller can correct.
public enum CommentError: Error, Equatable, Sendable {
    case videoNotFound
    case parentNotFound
    /// `parent_id` names a comment of another video (the API answers 422).
    case parentOnAnotherVideo
    /// A pinned comment must be one of the video's.
    case commentOnAnotherVideo
    /// Only a published top-level comment can be pinned.
    case notPinnable
    /// The comment is a tombstone: nothing to edit, remove or publish.
    case deleted
    /// `deleted` is set only by ``CommentRepository/deleteByAuthor(_:)``.
    case invalidStatus
}
