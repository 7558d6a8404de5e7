import Foundation
import GRDB

/// The latest job of a video, as shown with it.
public struct JobSummary: Sendable, Hashable {
    public var state: String
    public var progress: Double
    public var step: String?
    /// Seconds left: elapsed time of the running attempt scaled by the share still to do
    /// (nil until there is progress to go by).
    public var etaSeconds: Int?

    init(row: Row, now: Date) {
        state = row["state"]
        progress = row["progress"]
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
    static func load(_ rows: [Row], _ db: Database, now: Date = Date()) throws -> [VideoDetails] {
        guard !rows.isEmpty else { return [] }
        let videos = try rows.map { try VideoRecord(row: $0) }
        let ids = videos.map(\.id)
        let marks = databaseQuestionMarks(count: ids.count)
        let arguments = StatementArguments(ids)
        let channels = try ChannelRepository.fetch(ids: videos.compactMap(\.channelID), db)
        var tags: [String: [String]] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT video_id, tag FROM video_tags WHERE video_id IN (\(marks)) ORDER BY video_id, position",
            arguments: arguments)
        {
            tags[row["video_id"], default: []].append(row["tag"])
        }
        var jobs: [String: JobSummary] = [:]
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT video_id, state, progress, step, started_at FROM jobs
                WHERE id IN (SELECT MAX(id) FROM jobs WHERE video_id IN (\(marks)) GROUP BY video_id)
                """, arguments: arguments)
        {
            jobs[row["video_id"]] = JobSummary(row: row, now: now)
        }
        var captions: [String: [CaptionRecord]] = [:]
        for caption in try CaptionRecord.fetchAll(
            db, sql: "SELECT * FROM captions WHERE video_id IN (\(marks)) ORDER BY video_id, language",
            arguments: arguments)
        {
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
        try writer.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM videos WHERE id = ?", arguments: [id]) else { return nil }
            return try VideoDetails.load([row], db, now: now).first
        }
    }

    /// The video's tags in the order given.
    public func tags(videoID: String) throws -> [String] {
        try writer.read {
            try String.fetchAll($0, sql: "SELECT tag FROM video_tags WHERE video_id = ? ORDER BY position", arguments: [videoID])
        }
    }
}
