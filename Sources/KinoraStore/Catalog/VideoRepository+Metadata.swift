import Foundation

extension VideoRepository {
    /// Writes the metadata fields of `video` (title, description, visibility, category,
    /// language, license, publication time, channel and owner), and the tags when given, then
    /// re-indexes it for search: one transaction. Processing columns are left alone, so a
    /// transcode finishing meanwhile is not undone. Returns false when the video is gone.
    @discardableResult
    public func updateMetadata(_ video: VideoRecord, tags: [String]?, now: Date = Date()) throws -> Bool {
        try db.write { db in
            let changed = try db.execute(
                """
                UPDATE videos SET title = ?, description = ?, visibility = ?, category_id = ?, language = ?, license = ?,
                    publish_at = ?, listed_at = ?, channel_id = ?, owner_id = ?, updated_at = ?
                WHERE id = ?
                """,
                [
                    video.title, video.description, video.visibility, video.categoryID, video.language, video.license,
                    video.publishAt, video.listedAt, video.channelID, video.ownerID, now, video.id,
                ])
            guard changed == 1 else { return false }
            // The listing time is one of the trending score's inputs.
            try TrendingScore.refresh(video.id, db)
            if let tags { try Self.replaceTags(videoID: video.id, tags, db) }
            try VideoSearchIndex.reindex(videoID: video.id, db)
            return true
        }
    }

    /// Sets the visibility alone (moderation making a video private), leaving every other
    /// field as it is now, so an edit made meanwhile is not undone. Returns false when the
    /// video is gone.
    @discardableResult
    public func setVisibility(_ id: String, _ visibility: String, now: Date = Date()) throws -> Bool {
        try db.write { try $0.execute("UPDATE videos SET visibility = ?, updated_at = ? WHERE id = ?", [visibility, now, id]) == 1 }
    }

    static func replaceTags(videoID: String, _ tags: [String], _ db: any SQLConnection) throws {
        try db.execute("DELETE FROM video_tags WHERE video_id = ?", [videoID])
        for (position, tag) in tags.enumerated() {
            try db.execute("INSERT INTO video_tags(video_id, tag, position) VALUES (?, ?, ?)", [videoID, tag, position])
        }
    }

    /// Adds to the view count (the analytics service calls this).
    public func addViews(_ id: String, _ count: Int64 = 1) throws {
        try db.write { db in
            try db.execute("UPDATE videos SET views = views + ? WHERE id = ?", [count, id])
            try TrendingScore.refresh(id, db)
        }
    }
}
