import Foundation

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

    init(row: SQLRow) throws {
        videoID = try row.value("video_id")
        position = try row.value("position")
        completed = try row.value("completed")
        let updatedMs: Int64 = try row.value("updated_ms")
        updatedAt = Date(timeIntervalSince1970: Double(updatedMs) / 1000)
    }
}

/// One page of history, most recently watched first.
public struct HistoryPage: Sendable {
    public var entries: [HistoryEntry]
    public var nextCursor: String?
}

/// Watch history and resume positions. Runs on both backends.
public struct HistoryRepository: Sendable {
    let db: any SQLDatabase

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
        return try db.write { db in
            // A concurrent first heartbeat on another node waits on this key and then inserts
            // nothing, so a view is counted once on both engines.
            let firstView =
                try db.execute("INSERT INTO video_viewers(video_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING", [videoID, userID]) > 0
            if firstView { try ViewCounter.countView(db, videoID: videoID) }
            let existing = try db.fetchOne("SELECT * FROM watch_history WHERE user_id = ? AND video_id = ?", [userID, videoID])
                .map(HistoryEntry.init)
            if let existing, now.timeIntervalSince(existing.updatedAt) < minimumInterval, existing.completed == completed {
                return Recorded(entry: existing, countedView: firstView)
            }
            try db.execute(
                """
                INSERT INTO watch_history(user_id, video_id, position, completed, updated_ms) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(user_id, video_id) DO UPDATE SET position = excluded.position, completed = excluded.completed,
                    updated_ms = excluded.updated_ms
                """, [userID, videoID, position, completed, nowMs])
            let entry = HistoryEntry(
                videoID: videoID, position: position, completed: completed,
                updatedAt: Date(timeIntervalSince1970: Double(nowMs) / 1000))
            return Recorded(entry: entry, countedView: firstView)
        }
    }

    public func entry(userID: String, videoID: String) throws -> HistoryEntry? {
        try db.read {
            try $0.fetchOne("SELECT * FROM watch_history WHERE user_id = ? AND video_id = ?", [userID, videoID]).map(HistoryEntry.init)
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
        return try db.read { db in
            let rows = try db.fetchAll(
                """
                SELECT * FROM watch_history WHERE user_id = ? AND (updated_ms < ? OR (updated_ms = ? AND video_id < ?))
                ORDER BY updated_ms DESC, video_id DESC LIMIT ?
                """, [userID, afterMs, afterMs, afterVideo, limit + 1])
            let entries = try rows.prefix(limit).map(HistoryEntry.init)
            var next: String?
            if rows.count > limit, let last = rows.prefix(limit).last {
                let (ms, video): (Int64, String) = (try last.value("updated_ms"), try last.value("video_id"))
                next = "\(ms)-\(video)"
            }
            return HistoryPage(entries: Array(entries), nextCursor: next)
        }
    }

    /// Forgets every position of the account; returns how many.
    @discardableResult
    public func clear(userID: String) throws -> Int {
        try db.write { try $0.execute("DELETE FROM watch_history WHERE user_id = ?", [userID]) }
    }

    /// Forgets one video; returns whether it was there.
    @discardableResult
    public func remove(userID: String, videoID: String) throws -> Bool {
        try db.write { try $0.execute("DELETE FROM watch_history WHERE user_id = ? AND video_id = ?", [userID, videoID]) } > 0
    }

}

extension KinoraDatabase {
    public var history: HistoryRepository { HistoryRepository(db: sql) }
}
