import Foundation
import GRDB

/// A video as stored: metadata, processing state and what the probe found.
public struct VideoRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
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

    enum CodingKeys: String, CodingKey {
        case id, title, visibility, status, error, duration, width, height, thumbnails
        case originalKey = "original_key", originalName = "original_name", originalSize = "original_size"
        case mediaInfo = "media_info", createdAt = "created_at", updatedAt = "updated_at"
    }

    public init(id: String, title: String, visibility: String, status: String = "processing", originalKey: String?,
                originalName: String?, originalSize: Int64, duration: Double?, width: Int?, height: Int?, mediaInfo: String?,
                now: Date = Date()) {
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
        createdAt = now
        updatedAt = now
    }
}

/// One page of videos, newest first, with a cursor that stays stable under inserts.
public struct VideoPage: Sendable {
    public var videos: [VideoRecord]
    public var nextCursor: String?
}

/// Every query on the videos and jobs tables.
public struct VideoRepository: Sendable {
    let writer: DatabasePool

    /// Inserts the video and its first transcode job in one transaction.
    public func create(_ video: VideoRecord) throws {
        try writer.write { db in
            try video.insert(db)
            try db.execute(
                sql: "INSERT INTO jobs(video_id, kind, state, created_at, updated_at) VALUES (?, 'transcode', 'queued', ?, ?)",
                arguments: [video.id, video.createdAt, video.createdAt])
        }
    }

    public func find(_ id: String) throws -> VideoRecord? {
        try writer.read { try VideoRecord.fetchOne($0, key: id) }
    }

    /// Newest first. The cursor is the opaque position of the last video returned (its rowid,
    /// which only grows), so pages stay stable while videos are added.
    public func list(limit: Int, cursor: String?) throws -> VideoPage {
        var after = Int64.max
        if let cursor {
            guard let value = Int64(cursor), value > 0 else { throw InvalidCursor() }
            after = value
        }
        return try writer.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT rowid AS position, * FROM videos WHERE rowid < ? ORDER BY rowid DESC LIMIT ?",
                                        arguments: [after, limit + 1])
            let page = try rows.prefix(limit).map { try VideoRecord(row: $0) }
            var next: String?
            if rows.count > limit {
                let position: Int64 = rows[limit - 1]["position"]
                next = String(position)
            }
            return VideoPage(videos: page, nextCursor: next)
        }
    }

    /// Deletes the row (jobs cascade); returns whether it existed.
    @discardableResult
    public func delete(_ id: String) throws -> Bool {
        try writer.write { try VideoRecord.deleteOne($0, key: id) }
    }

    public func jobState(videoID: String) throws -> (state: String, progress: Double, step: String?)? {
        try jobProgress(videoID: videoID).map { ($0.state, $0.progress, $0.step) }
    }

    /// The latest job's state with an estimate of the seconds left: elapsed time of the
    /// running attempt scaled by the share still to do (nil until there is progress to go by).
    public func jobProgress(videoID: String, now: Date = Date()) throws -> (state: String, progress: Double, step: String?, etaSeconds: Int?)? {
        try writer.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT state, progress, step, started_at FROM jobs WHERE video_id = ? ORDER BY id DESC LIMIT 1",
                                             arguments: [videoID]) else { return nil }
            let state: String = row["state"]
            let progress: Double = row["progress"]
            var eta: Int?
            if state == "running", progress >= 0.02, progress < 1, let started: Date = row["started_at"] {
                eta = Int((now.timeIntervalSince(started) * (1 - progress) / progress).rounded())
            }
            return (state, progress, row["step"], eta)
        }
    }

    public struct InvalidCursor: Error {}
}

extension KinoraDatabase {
    public var videos: VideoRepository { VideoRepository(writer: writer) }
}

extension VideoRepository {
    /// Records what the manifests now describe; `ready` once every rendition is published.
    public func publish(_ id: String, presentation: String, ready: Bool, now: Date = Date()) throws {
        try writer.write {
            try $0.execute(
                sql: "UPDATE videos SET presentation = ?, status = CASE WHEN ? THEN 'ready' ELSE status END, updated_at = ? WHERE id = ?",
                arguments: [presentation, ready, now, id])
        }
    }

    /// Records the thumbnails a transcode stored.
    public func setThumbnails(_ id: String, json: String, now: Date = Date()) throws {
        try writer.write {
            try $0.execute(sql: "UPDATE videos SET thumbnails = ?, updated_at = ? WHERE id = ?", arguments: [json, now, id])
        }
    }

    /// Whether the first rendition is published: the cheap check for every stream request.
    public func isPublished(_ id: String) throws -> Bool {
        try writer.read { try Bool.fetchOne($0, sql: "SELECT presentation IS NOT NULL FROM videos WHERE id = ?", arguments: [id]) } ?? false
    }

    /// The published presentation (renditions and segments), nil before the first publish.
    public func presentation(_ id: String) throws -> String? {
        try writer.read { try String.fetchOne($0, sql: "SELECT presentation FROM videos WHERE id = ?", arguments: [id]) }
    }
}
