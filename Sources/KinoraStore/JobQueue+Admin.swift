import Foundation

/// A job as the admin console lists it.
public struct AdminJob: Sendable, Equatable {
    public var id: Int64
    public var videoID: String
    public var videoTitle: String
    public var kind: String
    public var state: String
    public var attempts: Int
    public var progress: Double
    public var step: String?
    public var error: String?
    public var createdAt: Date
    public var updatedAt: Date
}

/// What an administrator's retry or cancel did.
public enum JobChange: Sendable, Equatable {
    case changed
    case notFound
    /// Not possible in this state (the job's current state is given).
    case conflict(String)
    /// The job's video already has another job queued or running.
    case videoBusy
}

extension JobQueue {
    public static let states = ["queued", "running", "done", "failed", "cancelled"]
    /// The video error a cancelled job leaves, shown wherever the video's failure is.
    public static let cancelReason = "cancelled by an administrator"

    /// Jobs newest first, optionally of one state; `before` is the keyset cursor (the id of
    /// the last job of the previous page).
    public func list(state: String?, before: Int64?, limit: Int) throws -> (items: [AdminJob], next: Int64?) {
        try db.read { db in
            var conditions: [String] = []
            var arguments: [any SQLBindable] = []
            if let state {
                conditions.append("j.state = ?")
                arguments.append(state)
            }
            if let before {
                conditions.append("j.id < ?")
                arguments.append(before)
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments.append(limit + 1)
            let rows = try db.fetchAll(
                """
                SELECT j.id, j.video_id, v.title, j.kind, j.state, j.attempts, j.progress, j.step, j.error, j.created_at, j.updated_at
                FROM jobs j JOIN videos v ON v.id = j.video_id \(filter) ORDER BY j.id DESC LIMIT ?
                """, arguments)
            let items = try rows.prefix(limit).map { row in
                AdminJob(
                    id: try row.value("id"), videoID: try row.value("video_id"), videoTitle: try row.value("title"), kind: try row.value("kind"),
                    state: try row.value("state"), attempts: try row.value("attempts"), progress: try row.value("progress"),
                    step: row["step"], error: row["error"], createdAt: try row.value("created_at"), updatedAt: try row.value("updated_at"))
            }
            return (Array(items), rows.count > limit ? items.last?.id : nil)
        }
    }

    public func find(id: Int64) throws -> AdminJob? {
        try list(state: nil, before: id + 1, limit: 1).items.first { $0.id == id }
    }

    /// The job's state now (nil when it is gone): a running worker asks, to stop when cancelled.
    public func state(id: Int64) throws -> String? {
        try db.read { try $0.scalar(String.self, "SELECT state FROM jobs WHERE id = ?", [id]) }
    }

    /// A failed or cancelled job is queued again at once with its attempts reset, and its video
    /// goes back to processing. Refused while the video has another job waiting or running.
    public func retry(id: Int64, now: Date = Date()) throws -> JobChange {
        try db.write { db in
            guard let row = try db.fetchOne("SELECT state, video_id FROM jobs WHERE id = ?", [id]) else { return .notFound }
            let state: String = try row.value("state"), videoID: String = try row.value("video_id")
            guard state == "failed" || state == "cancelled" else { return .conflict(state) }
            let pending = try db.scalar(Int.self, "SELECT COUNT(*) FROM jobs WHERE video_id = ? AND state IN ('queued', 'running')", [videoID]) ?? 0
            guard pending == 0 else { return .videoBusy }
            try db.execute(
                """
                UPDATE jobs SET state = 'queued', attempts = 0, lease_until = NULL, error = NULL, progress = 0, step = NULL,
                                owner = NULL, started_at = NULL, updated_at = ?
                WHERE id = ?
                """, [now, id])
            try VideoRepository.markProcessingAgain(videoID, now: now, db)
            return .changed
        }
    }

    /// A queued or running job becomes `cancelled`; the worker running it notices and stops.
    /// Its video fails with ``cancelReason``, unless it is already published (a re-transcode of
    /// a ready video leaves the old renditions playing).
    public func cancel(id: Int64, now: Date = Date()) throws -> JobChange {
        try db.write { db in
            guard let row = try db.fetchOne("SELECT state, video_id FROM jobs WHERE id = ?", [id]) else { return .notFound }
            let state: String = try row.value("state"), videoID: String = try row.value("video_id")
            guard state == "queued" || state == "running" else { return .conflict(state) }
            try db.execute("UPDATE jobs SET state = 'cancelled', lease_until = NULL, error = ?, updated_at = ? WHERE id = ?", [Self.cancelReason, now, id])
            try VideoRepository.markFailedUnlessReady(videoID, reason: Self.cancelReason, now: now, db)
            return .changed
        }
    }
}
