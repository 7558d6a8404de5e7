import Foundation

/// A video as stored: metadata, ownership, processing state and what the probe found.
/// Written with ``SQLConnection/insert(_:into:)`` (its coding keys name the columns), read with
/// ``init(row:)``.
public struct VideoRecord: Codable, Sendable, Hashable {
    public static let databaseTableName = "videos"

    public var id: String
    public var title: String
    public var visibility: String
    public var status: String
    public var error: String?
    public var originalKey: String?
    public var originalName: String?
    public var originalSize: Int64
    public var duration: Double?
    public var width: Int?
    public var height: Int?
    public var mediaInfo: String?
    /// The thumbnails JSON (`poster`, `candidates`, `sprites`, `track`, …), keys relative to
    /// `videos/<id>/`; nil until a transcode made them.
    public var thumbnails: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// The account that owns the video; nil for uploads made with the bootstrap token.
    public var ownerID: String?
    public var channelID: String?
    public var description: String
    public var categoryID: String?
    /// A BCP 47 tag (checked at the HTTP edge).
    public var language: String?
    /// A short licence name such as "CC-BY-4.0".
    public var license: String?
    /// Scheduled publication: before it the video is private to all but its owner and admins.
    public var publishAt: Date?
    /// `publishAt ?? createdAt`, kept in step by ``setPublishAt(_:)``: the listing's date.
    public var listedAt: Date
    public var views: Int64
    // Engagement, kept by the comment and rating repositories with relative updates: read
    // here, never written from a record (not in the coding keys).
    public var likes: Int64 = 0
    public var dislikes: Int64 = 0
    public var commentCount: Int64 = 0
    /// The video's own switch; the channel's is the other half (``CommentRepository``).
    public var commentsEnabled = true
    /// Hidden by reports or a classifier until a moderator decides (``ModerationRepository``);
    /// never written from a record.
    public var moderationHold = false

    enum CodingKeys: String, CodingKey {
        case id, title, visibility, status, error, duration, width, height, thumbnails, description, language, license, views
        case originalKey = "original_key", originalName = "original_name", originalSize = "original_size"
        case mediaInfo = "media_info", createdAt = "created_at", updatedAt = "updated_at"
        case ownerID = "owner_id", channelID = "channel_id", categoryID = "category_id"
        case publishAt = "publish_at", listedAt = "listed_at"
    }

    public init(
        id: String, title: String, visibility: String, status: String = "processing", originalKey: String?,
        originalName: String?, originalSize: Int64, duration: Double?, width: Int?, height: Int?, mediaInfo: String?,
        ownerID: String? = nil, channelID: String? = nil, description: String = "", categoryID: String? = nil,
        language: String? = nil, license: String? = nil, publishAt: Date? = nil, now: Date = Date()
    ) {
        self.id = id
        self.title = title
        self.visibility = visibility
        self.status = status
        self.originalKey = originalKey
        self.originalName = originalName
        self.originalSize = originalSize
        self.duration = duration
        self.width = width
        self.height = height
        self.mediaInfo = mediaInfo
        self.ownerID = ownerID
        self.channelID = channelID
        self.description = description
        self.categoryID = categoryID
        self.language = language
        self.license = license
        self.publishAt = publishAt
        listedAt = publishAt ?? now
        views = 0
        createdAt = now
        updatedAt = now
    }

    /// Decoded by hand: a listing decodes a page of these per request, and the Codable
    /// path costs several times more.
    public init(row: SQLRow) throws {
        id = try row.value("id")
        title = try row.value("title")
        visibility = try row.value("visibility")
        status = try row.value("status")
        error = row["error"]
        originalKey = row["original_key"]
        originalName = row["original_name"]
        originalSize = try row.value("original_size")
        duration = row["duration"]
        width = row["width"]
        height = row["height"]
        mediaInfo = row["media_info"]
        thumbnails = row["thumbnails"]
        createdAt = try row.value("created_at")
        updatedAt = try row.value("updated_at")
        ownerID = row["owner_id"]
        channelID = row["channel_id"]
        description = try row.value("description")
        categoryID = row["category_id"]
        language = row["language"]
        license = row["license"]
        publishAt = row["publish_at"]
        listedAt = row["listed_at"] ?? createdAt
        views = try row.value("views")
        likes = row["likes"] ?? 0
        dislikes = row["dislikes"] ?? 0
        commentCount = row["comment_count"] ?? 0
        commentsEnabled = row["comments_enabled"] ?? true
        moderationHold = row["moderation_hold"] ?? false
    }

    public mutating func setPublishAt(_ date: Date?) {
        publishAt = date
        listedAt = date ?? createdAt
    }

    /// Whether the caller may see the video at all: admins and the owner always; everyone
    /// else only when it is not private, not held by moderation, and its scheduled time (if
    /// any) has come.
    public func isVisible(to userID: String?, isAdmin: Bool, now: Date = Date()) -> Bool {
        if isAdmin || (userID != nil && userID == ownerID) { return true }
        return visibility != "private" && !moderationHold && (publishAt.map { $0 <= now } ?? true)
    }

    public func isOwned(by userID: String?) -> Bool { userID != nil && userID == ownerID }
}
