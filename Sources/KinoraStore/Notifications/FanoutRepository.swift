import Foundation

/// Where a fan-out stands: finished, or the account its next slice starts after.
public struct FanoutProgress: Sendable, Equatable {
    public var finished: Bool
    public var after: String?

    public init(finished: Bool, after: String?) {
        self.finished = finished
        self.after = after
    }
}

/// Each fan-out to a channel's subscribers, by its key (the event occurrence's key prefix):
/// written when it starts, moved on in the same transaction as each slice, finished with the
/// last. A daemon stopped halfway finds it unfinished at its next start and goes on from its
/// last slice (the rows' keys make a slice written twice add nothing).
public struct FanoutRepository: Sendable {
    let db: any SQLDatabase

    /// Records the fan-out (once) and says where it stands.
    public func begin(key: String, event: String, occurrence: String, now: Date = Date()) throws -> FanoutProgress {
        try db.write { db in
            try db.execute(
                "INSERT INTO notification_fanouts(key, event, occurrence, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
                [key, event, occurrence, now])
            let row = try db.fetchOne(
                "SELECT next_after, CASE WHEN finished_at IS NULL THEN 0 ELSE 1 END AS finished FROM notification_fanouts WHERE key = ?", [key])
            return FanoutProgress(finished: (row?["finished"] as Int?) == 1, after: row?["next_after"])
        }
    }

    /// The unfinished fan-outs of `event` begun since `since`, oldest first: their
    /// occurrences. (One whose video went private meanwhile stays unfinished; after a day it
    /// is no longer looked at.)
    public func unfinished(event: String, since: Date) throws -> [String] {
        try db.read { db in
            try db.fetchAll(
                "SELECT occurrence FROM notification_fanouts WHERE finished_at IS NULL AND event = ? AND created_at > ? ORDER BY created_at, key",
                [event, since]
            ).compactMap { $0["occurrence"] as String? }
        }
    }

    /// Ready public videos whose release time has come since `since` and that nobody
    /// announced yet: the scheduled ones (announced at ready otherwise). `listed_at` is the
    /// release time of a scheduled video, and its index makes this a range, not a scan.
    public func unannouncedReleases(since: Date, now: Date = Date()) throws -> [String] {
        try db.read { db in
            try db.fetchAll(
                """
                SELECT v.id FROM videos v
                WHERE v.visibility = 'public' AND v.listed_at <= ? AND v.listed_at > ?
                  AND v.publish_at IS NOT NULL AND v.status = 'ready' AND NOT v.moderation_hold
                  AND NOT EXISTS (SELECT 1 FROM notification_fanouts f WHERE f.key = 'video.published-' || v.id || '-')
                ORDER BY v.listed_at, v.id LIMIT 100
                """, [now, since]
            ).compactMap { $0["id"] as String? }
        }
    }

    /// Within a slice's transaction: where the next one starts, or that this was the last.
    static func advance(_ db: any SQLConnection, key: String, to next: String?, now: Date) throws {
        if let next {
            try db.execute("UPDATE notification_fanouts SET next_after = ? WHERE key = ?", [next, key])
        } else {
            try db.execute("UPDATE notification_fanouts SET next_after = NULL, finished_at = ? WHERE key = ?", [now, key])
        }
    }
}

extension KinoraDatabase {
    public var fanouts: FanoutRepository { FanoutRepository(db: sql) }
}
