import Foundation

/// Every query on the videos and jobs tables.
public struct VideoRepository: Sendable {
    let database: KinoraDatabase
    /// Both backends.
    var db: any SQLDatabase { database.sql }

    /// Inserts the video, its tags (normalized already), its search entry and its first
    /// transcode job (queued by ``JobQueue``) in one transaction.
    public func create(_ video: VideoRecord, tags: [String] = []) throws {
        try db.write { db in
            try db.insert(video, into: VideoRecord.databaseTableName)
            try TrendingScore.refresh(video.id, db)
            try Self.replaceTags(videoID: video.id, tags, db)
            try VideoSearchIndex.reindex(videoID: video.id, db)
            try JobQueue.insertTranscode(videoID: video.id, now: video.createdAt, db)
        }
    }

    public func find(_ id: String) throws -> VideoRecord? {
        try db.read { try $0.fetchOne("SELECT * FROM videos WHERE id = ?", [id]).map(VideoRecord.init(row:)) }
    }

    /// Deletes the row (jobs cascade); returns whether it existed.
    @discardableResult
    public func delete(_ id: String) throws -> Bool {
        try db.write { try $0.execute("DELETE FROM videos WHERE id = ?", [id]) } > 0
    }

    public func jobState(videoID: String) throws -> (state: String, progress: Double, step: String?)? {
        try jobProgress(videoID: videoID).map { ($0.state, $0.progress, $0.step) }
    }

    /// The latest job's state with an estimate of the seconds left: elapsed time of the
    /// running attempt scaled by the share still to do (nil until there is progress to go by).
    public func jobProgress(videoID: String, now: Date = Date()) throws -> (state: String, progress: Double, step: String?, etaSeconds: Int?)? {
        try db.read { db in
            guard
                let row = try db.fetchOne("SELECT state, progress, step, started_at FROM jobs WHERE video_id = ? ORDER BY id DESC LIMIT 1", [videoID])
            else { return nil }
            let job = try JobSummary(row: row, now: now)
            return (job.state, job.progress, job.step, job.etaSeconds)
        }
    }
}

extension KinoraDatabase {
    public var videos: VideoRepository { VideoRepository(database: self) }
}

extension VideoRepository {
    /// Records what the manifests now describe; `ready` once every rendition is published.
    public func publish(_ id: String, presentation: String, ready: Bool, now: Date = Date()) throws {
        try db.write {
            try $0.execute(
                "UPDATE videos SET presentation = ?, status = CASE WHEN ? THEN 'ready' ELSE status END, updated_at = ? WHERE id = ?",
                [presentation, ready, now, id])
        }
    }

    /// Forgets the recorded presentation, so the video is not playable: a growing first pass
    /// that failed must not leave players waiting for segments that will never come.
    public func unpublish(_ id: String, now: Date = Date()) throws {
        try db.write { try $0.execute("UPDATE videos SET presentation = NULL, updated_at = ? WHERE id = ?", [now, id]) }
    }

    /// Records the thumbnails a transcode stored.
    public func setThumbnails(_ id: String, json: String, now: Date = Date()) throws {
        try db.write { try $0.execute("UPDATE videos SET thumbnails = ?, updated_at = ? WHERE id = ?", [json, now, id]) }
    }

    /// Whether the first rendition is published: the cheap check for every stream request.
    public func isPublished(_ id: String) throws -> Bool {
        try db.read { try $0.scalar(Bool.self, "SELECT presentation IS NOT NULL FROM videos WHERE id = ?", [id]) } ?? false
    }

    /// The published presentation (renditions and segments), nil before the first publish.
    public func presentation(_ id: String) throws -> String? {
        try db.read { try $0.scalar(String.self, "SELECT presentation FROM videos WHERE id = ?", [id]) }
    }
}

// The video's status as the job queue moves it: the queue calls these inside its own
// transaction, so a job's state and its video's status change together, but only this
// repository writes the videos table.
extension VideoRepository {
    /// The last attempt failed: the video shows `reason`.
    static func markFailed(_ id: String, reason: String, now: Date, _ db: any SQLConnection) throws {
        try db.execute("UPDATE videos SET status = 'failed', error = ?, updated_at = ? WHERE id = ?", [reason, now, id])
    }

    /// Cancelled: the video fails with `reason` unless it is already published (a re-transcode
    /// of a ready video leaves the old renditions playing).
    static func markFailedUnlessReady(_ id: String, reason: String, now: Date, _ db: any SQLConnection) throws {
        try db.execute("UPDATE videos SET status = 'failed', error = ?, updated_at = ? WHERE id = ? AND status != 'ready'", [reason, now, id])
    }

    /// Queued again: a failed video is processing once more and its error is cleared.
    /// - Parameter now: the time to record, or nil to leave `updated_at` as it is.
    static func markProcessingAgain(_ id: String, now: Date?, _ db: any SQLConnection) throws {
        if let now {
            try db.execute(
                "UPDATE videos SET status = CASE WHEN status = 'failed' THEN 'processing' ELSE status END, error = NULL, updated_at = ? WHERE id = ?",
                [now, id])
        } else {
            try db.execute(
                "UPDATE videos SET status = CASE WHEN status = 'failed' THEN 'processing' ELSE status END, error = NULL WHERE id = ?", [id])
        }
    }
}
