import Foundation
import GRDB

/// A job claimed by one worker: it holds the lease until `leaseUntil` and must heartbeat.
public struct ClaimedJob: Sendable, Equatable {
    public var id: Int64
    public var videoID: String
    public var kind: String
    public var attempts: Int
}

/// The durable job queue: claim with a lease, heartbeat, progress, finish, retry with backoff.
/// A worker that dies (kill -9) simply stops heartbeating; once its lease expires the job is
/// claimable again, so nothing is lost on restart.
public struct JobQueue: Sendable {
    let writer: DatabasePool

    /// Claims the oldest runnable job: queued and due, or running with an expired lease.
    public func claim(lease: TimeInterval, owner: String? = nil, now: Date = Date()) throws -> ClaimedJob? {
        try writer.write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT id, video_id, kind, attempts FROM jobs
                        WHERE (state = 'queued' AND (lease_until IS NULL OR lease_until <= ?))
                           OR (state = 'running' AND lease_until < ?)
                        ORDER BY id LIMIT 1
                        """, arguments: [now.storageText, now.storageText])
            else { return nil }
            let id: Int64 = row["id"]
            try db.execute(
                sql: """
                    UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = ?, updated_at = ?, error = NULL, owner = ?,
                                    started_at = ?, progress = 0
                    WHERE id = ?
                    """, arguments: [now.addingTimeInterval(lease), now, owner, now, id])
            return ClaimedJob(id: id, videoID: row["video_id"], kind: row["kind"], attempts: row["attempts"] + 1)
        }
    }

    /// Extends the lease and records progress (0–1) and the current step.
    public func heartbeat(_ job: ClaimedJob, lease: TimeInterval, progress: Double, step: String, now: Date = Date()) throws {
        try writer.write {
            try $0.execute(
                sql: "UPDATE jobs SET lease_until = ?, progress = ?, step = ?, updated_at = ? WHERE id = ? AND state = 'running'",
                arguments: [now.addingTimeInterval(lease), min(max(progress, 0), 1), step, now, job.id])
        }
    }

    /// Requeues after a daemon crash that are not counted as attempts, per job. The work runs
    /// in a separate worker process, so a daemon dying mid-job is not the file's fault; past
    /// this many, each further crash counts again, so an input that somehow brings the daemon
    /// down every time still ends up failed after `maxAttempts`.
    public static let maxUncountedInterruptions = 10

    /// Running jobs whose owner is on `host` but is not `currentOwner` belong to an earlier
    /// process on this machine that is gone (this daemon has just started): make them
    /// claimable now, giving back the attempt the crash interrupted (up to
    /// ``maxUncountedInterruptions`` times per job). Returns how many were recovered.
    @discardableResult
    public func recoverAbandoned(host: String, currentOwner: String, now: Date = Date()) throws -> Int {
        try writer.write { db in
            try db.execute(
                sql: """
                    UPDATE jobs SET state = 'queued', lease_until = NULL, updated_at = ?,
                                    attempts = CASE WHEN interruptions < ? THEN MAX(attempts - 1, 0) ELSE attempts END,
                                    interruptions = interruptions + 1
                    WHERE state = 'running' AND owner LIKE ? AND owner != ?
                    """, arguments: [now.storageText, Self.maxUncountedInterruptions, host + "/%", currentOwner])
            return db.changesCount
        }
    }

    /// Hands a job back unfinished (shutdown): claimable again at once, attempt not counted.
    /// These updates only touch a job still running: one an administrator cancelled stays so.
    public func release(_ job: ClaimedJob, now: Date = Date()) throws {
        try writer.write {
            try $0.execute(
                sql:
                    "UPDATE jobs SET state = 'queued', attempts = attempts - 1, lease_until = NULL, updated_at = ? WHERE id = ? AND state = 'running'",
                arguments: [now, job.id])
        }
    }

    public func complete(_ job: ClaimedJob, now: Date = Date()) throws {
        try writer.write {
            try $0.execute(
                sql:
                    "UPDATE jobs SET state = 'done', progress = 1, step = 'done', lease_until = NULL, updated_at = ? WHERE id = ? AND state = 'running'",
                arguments: [now, job.id])
        }
    }

    /// Retries after `backoff` while attempts remain; otherwise the job and its video fail
    /// with `reason`. Returns true when the job will be retried.
    @discardableResult
    public func fail(_ job: ClaimedJob, reason: String, maxAttempts: Int, backoff: TimeInterval, now: Date = Date()) throws -> Bool {
        try writer.write { db in
            if job.attempts < maxAttempts {
                try db.execute(
                    sql: "UPDATE jobs SET state = 'queued', lease_until = ?, error = ?, updated_at = ? WHERE id = ? AND state = 'running'",
                    arguments: [now.addingTimeInterval(backoff), reason, now, job.id])
                return db.changesCount > 0
            }
            try db.execute(
                sql: "UPDATE jobs SET state = 'failed', lease_until = NULL, error = ?, updated_at = ? WHERE id = ? AND state = 'running'",
                arguments: [reason, now, job.id])
            guard db.changesCount > 0 else { return false }
            try VideoRepository.markFailed(job.videoID, reason: reason, now: now, db)
            return false
        }
    }

    /// Queues a new transcode of `videoID` (rebuilding its renditions from the original) unless
    /// one is already waiting or running. Returns whether a job was added.
    @discardableResult
    public func enqueueTranscode(videoID: String, now: Date = Date()) throws -> Bool {
        try writer.write { db in
            let pending =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM jobs WHERE video_id = ? AND state IN ('queued', 'running')",
                    arguments: [videoID]) ?? 0
            guard pending == 0 else { return false }
            try Self.insertTranscode(videoID: videoID, now: now, db)
            try VideoRepository.markProcessingAgain(videoID, now: nil, db)
            return true
        }
    }

    /// Queues a transcode of `videoID` inside the caller's transaction: the one place a job
    /// row is inserted (a new video's first job is queued in the transaction that creates it).
    static func insertTranscode(videoID: String, now: Date, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO jobs(video_id, kind, state, created_at, updated_at) VALUES (?, 'transcode', 'queued', ?, ?)",
            arguments: [videoID, now, now])
    }

    /// Every video id with a stored original, for `retranscode --all`.
    public func videosWithOriginals() throws -> [String] {
        try writer.read { try String.fetchAll($0, sql: "SELECT id FROM videos WHERE original_key IS NOT NULL ORDER BY rowid") }
    }

    /// Jobs by state, for the admin dashboard and /metrics.
    public func counts() throws -> [String: Int] {
        try writer.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state") {
                counts[row["state"]] = row["n"]
            }
            return counts
        }
    }
}

extension KinoraDatabase {
    public var jobs: JobQueue { JobQueue(writer: writer) }
}
