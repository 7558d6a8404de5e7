import Foundation
import GRDB

/// Where an account stopped in a video.
public struct HistoryEntry: Sendable, Hashable {
    public var videoID: String
    public var position: Double
    public var completed: Bool
    public var updatedAt: Date

    public init(videoID: String, position: Double, completed: Bool, updatedAt: Date) {
        self.videoID = videoID
        self.position = position
        self.completed = completed
        self.updatedAt = updatedAt
    }

    init(row: Row) {
        videoID = row["video_id"]
        position = row["position"]
        completed = row["completed"]
        updatedAt = Date(timeIntervalSince1970: Double(row["updated_ms"] as Int64) / 1000)
    }
}

/// One page of history, most recently watched first.
public struct HistoryPage: Sendable {
    public var entries: [HistoryEntry]
    public var nextCursor: String?
}

/// Watch history and resume positions.
public struct HistoryRepository: Sendable {
    let writer: DatabasePool

    /// What a heartbeat did.
    public struct Recorded: Sendable {
        public var entry: HistoryEntry
        /// The account's first heartbeat for this video ever: it counted one view.
        public var countedView: Bool
    }

    /// Stores a heartbeat. Within `minimumInterval` of the last stored one, a heartbeat is
    /// dropped unless it changes whether the video is completed: players send one every few
    /// seconds and the position needs no finer grain than that.
    public func record(
        userID: String, videoID: String, position: Double, completed: Bool, now: Date = Date(),
        minimumInterval: TimeInterval = 5
    ) throws -> Recorded {
        let nowMs = Int64((now.timeIntervalSince1970 * 1000).rounded())
        return try writer.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO video_viewers(video_id, user_id) VALUES (?, ?)", arguments: [videoID, userID])
            let firstView = db.changesCount > 0
            if firstView { try ViewCounter.countView(db, videoID: videoID) }
            let existing = try Row.fetchOne(db, sql: "SELECT * FROM watch_history WHERE user_id = ? AND video_id = ?", arguments: [userID, videoID])
                .map(HistoryEntry.init)
            if let existing, now.timeIntervalSince(existing.updatedAt) < minimumInterval, existing.completed == completed {
                return Recorded(entry: existing, countedView: firstView)
            }
            try db.execute(
                sql: """
                    INSERT INTO watch_history(user_id, video_id, position, completed, updated_ms) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(user_id, video_id) DO UPDATE SET position = excluded.position, completed = excluded.completed,
                        updated_ms = excluded.updated_ms
                    """, arguments: [userID, videoID, position, completed, nowMs])
            let entry = HistoryEntry(
                videoID: videoID, position: position, completed: completed,
                updatedAt: Date(timeIntervalSince1970: Double(nowMs) / 1000))
            return Recorded(entry: entry, countedView: firstView)
        }
    }

    public func entry(userID: String, videoID: String) throws -> HistoryEntry? {
        try writer.read {
            try Row.fetchOne($0, sql: "SELECT * FROM watch_history WHERE user_id = ? AND video_id = ?", arguments: [userID, videoID])
                .map(HistoryEntry.init)
        }
    }

    /// Most recent first. The cursor names the last entry returned (its time and video), so
    /// paging goes on from there even while newer heartbeats arrive.
    public func page(userID: String, limit: Int, cursor: String?) throws -> HistoryPage {
        var afterMs = Int64.max
        var afterVideo = ""
        if let cursor {
            let parts = cursor.split(separator: "-", maxSplits: 1).map(String.init)
            guard parts.count == 2, let ms = Int64(parts[0]), ms >= 0, !parts[1].isEmpty, parts[1].count <= 64 else { throw InvalidCursor() }
            afterMs = ms
            afterVideo = parts[1]
        }
        return try writer.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM watch_history WHERE user_id = ? AND (updated_ms < ? OR (updated_ms = ? AND video_id < ?))
                    ORDER BY updated_ms DESC, video_id DESC LIMIT ?
                    """, arguments: [userID, afterMs, afterMs, afterVideo, limit + 1])
            let entries = rows.prefix(limit).map(HistoryEntry.init)
            var next: String?
            if rows.count > limit, let last = rows.prefix(limit).last {
                next = "\(last["updated_ms"] as Int64)-\(last["video_id"] as String)"
            }
            return HistoryPage(entries: Array(entries), nextCursor: next)
        }
    }

    /// Forgets every position of the account; returns how many.
    @discardableResult
    public func clear(userID: String) throws -> Int {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM watch_history WHERE user_id = ?", arguments: [userID])
            return db.changesCount
        }
    }

    /// Forgets one video; returns whether it was there.
    @discardableResult
    public func remove(userID: String, videoID: String) throws -> Bool {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM watch_history WHERE user_id = ? AND video_id = ?", arguments: [userID, videoID])
            return db.changesCount > 0
        }
    }

}

extension KinoraDatabase {
    public var history: HistoryRepository { HistoryRepository(writer: writer) }
}
