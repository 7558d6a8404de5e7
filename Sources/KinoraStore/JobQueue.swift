import Foundation

/// A job claimed by one worker: it holds the lease until `leaseUntil` and must heartbeat.
public struct ClaimedJob: Sendable, Equatable {
    public var id: Int64
    public var videoID: String
    public var kind: String
    public var attempts: Int
}

/// The durable job queue: claim with a lease, heartbeat, progress, finish, retry with backoff.
/// A worker that dies (kill -9) simply stops heartbeating; once its lease expires the job is
/// claimable again, so nothing is lost on restart. Runs on both backends: on PostgreSQL,
/// workers of several nodes claim with `FOR UPDATE SKIP LOCKED`, so two never take one job.
public struct JobQueue: Sendable {
    let db: any SQLDatabase

    /// What makes a job claimable: queued and due, or running with an expired lease.
    /// Its first term is the `jobs_claimable` index's own condition, spelled alike, so both
    /// engines use that partial index and never step over finished jobs.
    public static let runnable = """
        state IN ('queued', 'running') AND ((state = 'queued' AND (lease_until IS NULL OR lease_until <= ?))
           OR (state = 'running' AND lease_until < ?))
        """

    /// Claims the oldest runnable job: queued and due, or running with an expired lease.
    public func claim(lease: TimeInterval, owner: String? = nil, now: Date = Date()) throws -> ClaimedJob? {
        try db.write { db in
            let claim = """
                UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = ?, updated_at = ?, error = NULL, owner = ?,
                                started_at = ?, progress = 0
                """
            let row: SQLRow?
            switch db.dialect {
            case .sqlite:
                // One writer at a time: the row read is the row updated.
                guard let found = try db.fetchOne("SELECT id FROM jobs WHERE \(Self.runnable) ORDER BY id LIMIT 1", [now, now]) else { return nil }
                row = try db.fetchOne(
                    claim + " WHERE id = ? RETURNING id, video_id, kind, attempts",
                    [now.addingTimeInterval(lease), now, owner, now, try found.value("id", as: Int64.self)])
            case .postgres:
                // Workers of every node at once: each skips the rows another is claiming.
                row = try db.fetchOne(
                    claim + """
                         WHERE id = (SELECT id FROM jobs WHERE \(Self.runnable) ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
                        RETURNING id, video_id, kind, attempts
                        """, [now.addingTimeInterval(lease), now, owner, now, now, now])
            }
            guard let row else { return nil }
            return ClaimedJob(
                id: try row.value("id"), videoID: try row.value("video_id"), kind: try row.value("kind"), attempts: try row.value("attempts"))
        }
    }

    /// Extends the lease and records progress (0–1) and the current step.
    public func heartbeat(_ job: ClaimedJob, lease: TimeInterval, progress: Double, step: String, now: Date = Date()) throws {
        try db.write {
            try $0.execute(
                "UPDATE jobs SET lease_until = ?, progress = ?, step = ?, updated_at = ? WHERE id = ? AND state = 'running'",
                [now.addingTimeInterval(lease), min(max(progress, 0), 1), step, now, job.id])
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
    /// ``maxUncountedInterruptions`` times per job). Owners `isAlive` says still run (another
    /// worker node on the same machine) keep their jobs. Returns how many were recovered.
    @discardableResult
    public func recoverAbandoned(
        host: String, currentOwner: String, now: Date = Date(), isAlive: (String) -> Bool = { _ in false }
    ) throws -> Int {
        try db.write { db in
            let owners = try db.fetchAll(
                "SELECT DISTINCT owner FROM jobs WHERE state = 'running' AND owner LIKE ? AND owner != ?", [host + "/%", currentOwner]
            ).compactMap { $0["owner"] as String? }
            var recovered = 0
            for owner in owners where !isAlive(owner) {
                recovered += try db.execute(
                    """
                    UPDATE jobs SET state = 'queued', lease_until = NULL, updated_at = ?,
                                    attempts = CASE WHEN interruptions < ? THEN \(db.dialect.greatest("attempts - 1", "0")) ELSE attempts END,
                                    interruptions = interruptions + 1
                    WHERE state = 'running' AND owner = ?
                    """, [now, Self.maxUncountedInterruptions, owner])
            }
            return recovered
        }
    }

    /// Hands a job back unfinished (shutdown): claimable again at once, attempt not counted.
    /// These updates only touch a job still running: one an administrator cancelled stays so.
    public func release(_ job: ClaimedJob, now: Date = Date()) throws {
        try db.write {
            try $0.execute(
                "UPDATE jobs SET state = 'queued', attempts = attempts - 1, lease_until = NULL, updated_at = ? WHERE id = ? AND state = 'running'",
                [now, job.id])
        }
    }

    public func complete(_ job: ClaimedJob, now: Date = Date()) throws {
        try db.write {
            try $0.execute(
                "UPDATE jobs SET state = 'done', progress = 1, step = 'done', lease_until = NULL, updated_at = ? WHERE id = ? AND state = 'running'",
                [now, job.id])
        }
    }

    /// Retries after `backoff` while attempts remain; otherwise the job and its video fail
    /// with `reason`. Returns true when the job will be retried.
    @discardableResult
    public func fail(_ job: ClaimedJob, reason: String, maxAttempts: Int, backoff: TimeInterval, now: Date = Date()) throws -> Bool {
        try db.write { db in
            if job.attempts < maxAttempts {
                return try db.execute(
                    "UPDATE jobs SET state = 'queued', lease_until = ?, error = ?, updated_at = ? WHERE id = ? AND state = 'running'",
                    [now.addingTimeInterval(backoff), reason, now, job.id]) > 0
            }
            let failed = try db.execute(
                "UPDATE jobs SET state = 'failed', lease_until = NULL, error = ?, updated_at = ? WHERE id = ? AND state = 'running'",
                [reason, now, job.id])
            guard failed > 0 else { return false }
            try VideoRepository.markFailed(job.videoID, reason: reason, now: now, db)
            return false
        }
    }

    /// Queues a new transcode of `videoID` (rebuilding its renditions from the original) unless
    /// one is already waiting or running. Returns whether a job was added.
    @discardableResult
    public func enqueueTranscode(videoID: String, now: Date = Date()) throws -> Bool {
        try db.write { db in
            let pending = try db.scalar(Int.self, "SELECT COUNT(*) FROM jobs WHERE video_id = ? AND state IN ('queued', 'running')", [videoID]) ?? 0
            guard pending == 0 else { return false }
            try Self.insertTranscode(videoID: videoID, now: now, db)
            try VideoRepository.markProcessingAgain(videoID, now: nil, db)
            return true
        }
    }

    /// Queues a transcode of `videoID` inside the caller's transaction: the one place a job
    /// row is inserted (a new video's first job is queued in the transaction that creates it).
    static func insertTranscode(videoID: String, now: Date, _ db: any SQLConnection) throws {
        try db.execute("INSERT INTO jobs(video_id, kind, state, created_at, updated_at) VALUES (?, 'transcode', 'queued', ?, ?)", [videoID, now, now])
    }

    /// Every video id with a stored original, for `retranscode --all`.
    public func videosWithOriginals() throws -> [String] {
        try db.read { db in
            try db.fetchAll("SELECT id FROM videos WHERE original_key IS NOT NULL ORDER BY created_at, id").map { try $0.value("id", as: String.self) }
        }
    }

    /// Jobs by state, for the admin dashboard and /metrics.
    public func counts() throws -> [String: Int] {
        try db.read { db in
            var counts: [String: Int] = [:]
            for row in try db.fetchAll("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state") {
                counts[try row.value("state")] = try row.value("n", as: Int.self)
            }
            return counts
        }
    }
}

extension KinoraDatabase {
    public var jobs: JobQueue { JobQueue(db: sql) }
}
