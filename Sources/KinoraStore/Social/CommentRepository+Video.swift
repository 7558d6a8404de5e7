import Foundation

/// What a creator sets about comments on their videos and channels, and the mention lookup.
extension CommentRepository {
    /// Pins `commentID` on the video (nil unpins). The comment must be a published top-level
    /// comment of that video (``CommentError/commentOnAnotherVideo``,
    /// ``CommentError/notPinnable``); ``CommentError/videoNotFound`` when the video does not exist.
    public func pin(videoID: String, commentID: String?) throws {
        try db.write { db in
            if let commentID {
                // Locked, so it cannot stop being published (which unpins) between the check
                // and the pin.
                guard let comment = try Self.lock(db, commentID) else { throw CommentError.commentOnAnotherVideo }
                guard comment.videoID == videoID else { throw CommentError.commentOnAnotherVideo }
                guard comment.status == .published, comment.parentID == nil else { throw CommentError.notPinnable }
            }
            guard try db.execute("UPDATE videos SET pinned_comment_id = ? WHERE id = ?", [commentID, videoID]) > 0 else {
                throw CommentError.videoNotFound
            }
        }
    }

    /// The pinned comment's id; nil when none is pinned or the video does not exist.
    public func pinnedCommentID(videoID: String) throws -> String? {
        try db.read { try $0.scalar(String.self, "SELECT pinned_comment_id FROM videos WHERE id = ?", [videoID]) }
    }

    /// Turns comments on the video on or off; false when the video does not exist. Existing
    /// comments stay; the service refuses new ones while ``commentsAllowed(videoID:)`` is false.
    @discardableResult
    public func setCommentsEnabled(videoID: String, _ enabled: Bool) throws -> Bool {
        try db.write { try $0.execute("UPDATE videos SET comments_enabled = ? WHERE id = ?", [enabled, videoID]) } > 0
    }

    /// Turns comments on or off for every video of the channel (each video keeps its own
    /// switch too); false when the channel does not exist.
    @discardableResult
    public func setCommentsEnabled(channelID: String, _ enabled: Bool) throws -> Bool {
        try db.write { try $0.execute("UPDATE channels SET comments_enabled = ? WHERE id = ?", [enabled, channelID]) } > 0
    }

    /// The video's own switch; nil when the video does not exist.
    public func commentsEnabled(videoID: String) throws -> Bool? {
        try db.read { try $0.scalar(Bool.self, "SELECT comments_enabled FROM videos WHERE id = ?", [videoID]) }
    }

    /// The channel's switch; nil when the channel does not exist.
    public func commentsEnabled(channelID: String) throws -> Bool? {
        try db.read { try $0.scalar(Bool.self, "SELECT comments_enabled FROM channels WHERE id = ?", [channelID]) }
    }

    /// Whether new comments are allowed on the video: its switch and its channel's (a video
    /// without a channel has only its own). Nil when the video does not exist.
    public func commentsAllowed(videoID: String) throws -> Bool? {
        try db.read { db in
            guard
                let row = try db.fetchOne(
                    """
                    SELECT v.comments_enabled AS video, ch.comments_enabled AS channel
                    FROM videos v LEFT JOIN channels ch ON ch.id = v.channel_id WHERE v.id = ?
                    """, [videoID])
            else { return nil }
            let video: Bool = try row.value("video")
            let channel: Bool = row["channel"] ?? true
            return video && channel
        }
    }

    /// The accounts `@mentions` name: each given name that is a username (whatever its case:
    /// `username` is NOCASE on SQLite and citext on PostgreSQL) mapped to the account's id.
    /// Keys are the names as given; names that match nobody are absent.
    public func usernames(for names: Set<String>) throws -> [String: String] {
        let wanted = Array(names.filter { !$0.isEmpty && $0.count <= 64 })
        guard !wanted.isEmpty else { return [:] }
        return try db.read { db in
            var byName: [String: String] = [:]
            var start = 0
            while start < wanted.count {
                let chunk = Array(wanted[start..<min(wanted.count, start + 500)])
                start += chunk.count
                let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                for row in try db.fetchAll("SELECT id, username FROM users WHERE username IN (\(placeholders))", chunk) {
                    let username: String = try row.value("username")
                    byName[username.lowercased()] = try row.value("id")
                }
            }
            // Usernames are ASCII, so Swift's lowercasing folds as both engines do.
            return wanted.reduce(into: [:]) { result, name in
                if let id = byName[name.lowercased()] { result[name] = id }
            }
        }
    }
}
