import Foundation

/// The latest job of a video, as shown with it.
public struct JobSummary: Sendable, Hashable {
    public var state: String
    public var progress: Double
    public var step: String?
    /// Seconds left: elapsed time of the running attempt scaled by the share still to do
    /// (nil until there is progress to go by).
    public var etaSeconds: Int?

    init(row: SQLRow, now: Date) throws {
        state = try row.value("state")
        progress = try row.value("progress")
        step = row["step"]
        if state == "running", progress >= 0.02, progress < 1, let started: Date = row["started_at"] {
            etaSeconds = Int((now.timeIntervalSince(started) * (1 - progress) / progress).rounded())
        }
    }
}

/// Everything the API shows of a video, read in one transaction.
public struct VideoDetails: Sendable {
    public var video: VideoRecord
    /// The published presentation (renditions and segments), nil before the first publish.
    public var presentation: String?
    public var channel: ChannelRecord?
    public var tags: [String]
    public var job: JobSummary?
    public var captions: [CaptionRecord]

    /// Loads the rest for rows of `videos` (which carry `presentation`) with a fixed number of
    /// queries whatever the count: a listing page never costs a query per video.
    static func load(_ rows: [SQLRow], _ db: any SQLConnection, now: Date = Date()) throws -> [VideoDetails] {
        guard !rows.isEmpty else { return [] }
        let videos = try rows.map { try VideoRecord(row: $0) }
        let ids = videos.map(\.id)
        let marks = CatalogSQL.placeholders(ids.count)
        let channels = try ChannelRepository.fetch(ids: videos.compactMap(\.channelID), db)
        var tags: [String: [String]] = [:]
        for row in try db.fetchAll("SELECT video_id, tag FROM video_tags WHERE video_id IN (\(marks)) ORDER BY video_id, position", ids) {
            tags[try row.value("video_id"), default: []].append(try row.value("tag"))
        }
        var jobs: [String: JobSummary] = [:]
        for row in try db.fetchAll(
            """
            SELECT video_id, state, progress, step, started_at FROM jobs
            WHERE id IN (SELECT MAX(id) FROM jobs WHERE video_id IN (\(marks)) GROUP BY video_id)
            """, ids)
        {
            jobs[try row.value("video_id")] = try JobSummary(row: row, now: now)
        }
        var captions: [String: [CaptionRecord]] = [:]
        for caption in try db.fetchAll(CaptionRecord.self, "SELECT * FROM captions WHERE video_id IN (\(marks)) ORDER BY video_id, language", ids) {
            captions[caption.videoID, default: []].append(caption)
        }
        return zip(videos, rows).map { video, row in
            VideoDetails(
                video: video, presentation: row["presentation"], channel: video.channelID.flatMap { channels[$0] },
                tags: tags[video.id] ?? [], job: jobs[video.id], captions: captions[video.id] ?? [])
        }
    }
}

extension VideoRepository {
    /// The video and all it shows, in one read; nil when it does not exist.
    public func details(id: String, now: Date = Date()) throws -> VideoDetails? {
        try db.read { db in
            guard let row = try db.fetchOne("SELECT * FROM videos WHERE id = ?", [id]) else { return nil }
            return try VideoDetails.load([row], db, now: now).first
        }
    }

    /// The video's tags in the order given.
    public func tags(videoID: String) throws -> [String] {
        try db.read { db in
            try db.fetchAll("SELECT tag FROM video_tags WHERE video_id = ? ORDER BY position", [videoID]).map { try $0.value("tag", as: String.self) }
        }
    }
}
