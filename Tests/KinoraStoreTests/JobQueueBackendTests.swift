import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

/// The job queue on both engines (issue 17): claims in order and once, leases, crash
/// recovery, retries and cancels; and on PostgreSQL, workers on separate connection pools (as
/// separate nodes would be) claiming at once never take one job twice.
@Suite struct JobQueueBackendTests {
    /// A migrated database with videos `ids`, each with its first transcode queued, inserted
    /// through the SQL API alone.
    static func queue(_ backend: StoreBackend, videos ids: [String]) throws -> KinoraDatabase {
        let database = try backend.makeDatabase("jobs")
        try database.migrate()
        let now = Date()
        try database.sql.write { db in
            for (index, id) in ids.enumerated() {
                let created = now.addingTimeInterval(Double(index) / 1000)
                try db.execute(
                    "INSERT INTO videos(id, title, visibility, status, original_size, created_at, updated_at, listed_at) VALUES (?, ?, 'public', 'processing', 1, ?, ?, ?)",
                    [id, id, created, created, created])
                try db.execute(
                    "INSERT INTO jobs(video_id, kind, state, created_at, updated_at) VALUES (?, 'transcode', 'queued', ?, ?)", [id, created, created])
            }
        }
        return database
    }

    static func video(_ database: KinoraDatabase, _ id: String) throws -> (status: String, error: String?) {
        let row = try #require(try database.sql.read { try $0.fetchOne("SELECT status, error FROM videos WHERE id = ?", [id]) })
        return (try row.value("status"), row["error"])
    }

    @Test(arguments: StoreBackend.allCases)
    func jobsAreClaimedOnceInOrderAndAnExpiredLeaseIsReclaimed(_ backend: StoreBackend) throws {
        let database = try Self.queue(backend, videos: ["a", "b"])
        let now = Date()
        let first = try #require(try database.jobs.claim(lease: 60, owner: "node-1/1", now: now))
        let second = try #require(try database.jobs.claim(lease: 60, owner: "node-2/1", now: now))
        #expect(first.videoID == "a" && second.videoID == "b" && first.attempts == 1)
        #expect(try database.jobs.claim(lease: 60, now: now) == nil)
        try database.jobs.heartbeat(first, lease: 60, progress: 0.5, step: "encoding", now: now.addingTimeInterval(30))
        #expect(try database.jobs.find(id: first.id)?.progress == 0.5)
        let reclaimed = try #require(try database.jobs.claim(lease: 60, now: now.addingTimeInterval(61)))
        #expect(reclaimed.videoID == "b" && reclaimed.attempts == 2)
        try database.jobs.complete(first)
        #expect(try database.jobs.state(id: first.id) == "done")
        #expect(try database.jobs.counts() == ["done": 1, "running": 1])
        #expect(try database.jobs.videosWithOriginals().isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func crashesFailuresRetriesAndCancelsKeepTheirRules(_ backend: StoreBackend) throws {
        let database = try Self.queue(backend, videos: ["a", "b"])
        let now = Date()
        // A daemon killed on this host: its running job comes back, its attempt given back.
        let crashed = try #require(try database.jobs.claim(lease: 60, owner: "host/100/1", now: now))
        // A second worker node starting on the same machine leaves a live one's job alone.
        #expect(try database.jobs.recoverAbandoned(host: "host", currentOwner: "host/101/1", now: now, isAlive: { $0 == "host/100/1" }) == 0)
        #expect(try database.jobs.state(id: crashed.id) == "running")
        #expect(try database.jobs.recoverAbandoned(host: "host", currentOwner: "host/101/1", now: now) == 1)
        let resumed = try #require(try database.jobs.claim(lease: 60, owner: "host/101/1", now: now))
        #expect(resumed.id == crashed.id && resumed.attempts == 1)
        // A failure backs off, then fails the video with its reason.
        #expect(try database.jobs.fail(resumed, reason: "encoder crashed", maxAttempts: 2, backoff: 30, now: now))
        let other = try #require(try database.jobs.claim(lease: 60, now: now.addingTimeInterval(10)))
        #expect(other.videoID == "b", "a backed-off job waits")
        let retry = try #require(try database.jobs.claim(lease: 60, now: now.addingTimeInterval(31)))
        #expect(retry.videoID == "a" && retry.attempts == 2)
        #expect(try database.jobs.fail(retry, reason: "encoder crashed again", maxAttempts: 2, backoff: 30, now: now) == false)
        #expect(try Self.video(database, "a") == ("failed", "encoder crashed again"))
        // An administrator's retry queues it again, the video processing; a cancel fails it.
        #expect(try database.jobs.retry(id: retry.id) == .changed)
        #expect(try Self.video(database, "a") == ("processing", nil))
        #expect(try database.jobs.enqueueTranscode(videoID: "a") == false, "one transcode at a time")
        #expect(try database.jobs.cancel(id: retry.id) == .changed)
        #expect(try Self.video(database, "a") == ("failed", JobQueue.cancelReason))
        #expect(try database.jobs.cancel(id: retry.id) == .conflict("cancelled"))
        #expect(try database.jobs.retry(id: 999) == .notFound)
        let listed = try database.jobs.list(state: nil, before: nil, limit: 1)
        #expect(listed.items.map(\.videoID) == ["b"] && listed.next != nil)
        #expect(try database.jobs.list(state: "cancelled", before: nil, limit: 10).items.map(\.videoTitle) == ["a"])
    }

    @Test func workersOfSeveralNodesNeverClaimOneJobTwiceOnPostgreSQL() throws {
        let ids = (0..<200).map { "v\($0)" }
        let database = try Self.queue(.postgres, videos: ids)
        // Eight workers, each with a pool of its own: as many nodes, racing for every job.
        let url = database.path
        // Threads, not tasks: each worker blocks on its connection, as a node's worker does.
        let results = Locked<[Result<[Int64], any Error>]>([])
        let group = DispatchGroup()
        for worker in 0..<8 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                let node = KinoraDatabase(postgres: PostgresDatabase(url: url, size: 1), address: url)
                let result = Result { () throws -> [Int64] in
                    var mine: [Int64] = []
                    while let job = try node.jobs.claim(lease: 300, owner: "node-\(worker)/1") {
                        mine.append(job.id)
                        try node.jobs.complete(job)
                    }
                    return mine
                }
                results.change { $0.append(result) }
            }
        }
        group.wait()
        let claims = try results.value.map { try $0.get() }
        let all = claims.flatMap { $0 }
        #expect(all.count == ids.count && Set(all).count == ids.count, "\(all.count) claims of \(Set(all).count) jobs")
        #expect(claims.filter { !$0.isEmpty }.count >= 2, "the work was shared: \(claims.map(\.count))")
        #expect(try database.jobs.counts() == ["done": ids.count])
    }

    /// The claim's pick walks the partial index of unfinished jobs, so finished ones (most of
    /// the table after a while) are never stepped over. PostgreSQL picks plans by size: with
    /// sequential scans off, a plan that still does not use the index could not use it at all.
    @Test(arguments: StoreBackend.allCases)
    func claimingWalksTheIndexOfUnfinishedJobs(_ backend: StoreBackend) throws {
        let database = try Self.queue(backend, videos: ["a", "b"])
        let pick = "SELECT id FROM jobs WHERE \(JobQueue.runnable) ORDER BY id LIMIT 1"
        let now = Date()
        let plan = try database.sql.write { db -> String in
            switch db.dialect {
            case .sqlite:
                return try db.fetchAll("EXPLAIN QUERY PLAN " + pick, [now, now]).compactMap { $0["detail"] as String? }.joined(separator: "; ")
            case .postgres:
                try db.execute("SET LOCAL enable_seqscan = off")
                return try db.fetchAll("EXPLAIN " + pick, [now, now]).compactMap { $0.values.first.flatMap(String.init(sqlValue:)) }
                    .joined(separator: "; ")
            }
        }
        // SQLite may instead read the unfinished states' range of jobs_state and sort it: no
        // finished job is read that way either.
        #expect(plan.contains("jobs_claimable") || (backend == .sqlite && plan.contains("jobs_state (state=?)")), "\(plan)")
        #expect(!plan.contains("SCAN jobs") && !plan.contains("Seq Scan"), "\(plan)")
    }
}
