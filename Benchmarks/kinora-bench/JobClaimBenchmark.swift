import Foundation
import KinoraStore
import KinoraTestSupport

/// Job claiming on PostgreSQL by 8 worker loops, each with a connection of its own as separate
/// worker nodes have: every loop claims (`FOR UPDATE SKIP LOCKED`) and completes jobs until the
/// queue is empty. Reports claims per second, and fails on a double claim: a job seen by two
/// loops, a count of claims that is not the count of jobs, or a job claimed more than once in
/// the database (`attempts`). The same work on SQLite in the same run is the peer.
enum JobClaimBenchmark {
    static func run(jobs: Int, loops: Int) throws {
        let postgres = try PostgresServer.makeKinoraDatabase("claims")
        let sqlite = try KinoraDatabase(path: benchDir + "/claims.sqlite")
        var rates: [String: Double] = [:]
        for (name, database, reopen) in [
            ("PostgreSQL", postgres, { try PostgresServer.reopenKinoraDatabase(like: postgres) } as () throws -> KinoraDatabase),
            // SQLite is one node: its loops share the daemon's one pool (eight pools on one file
            // only fight over its write lock, which no deployment does).
            ("SQLite", sqlite, { sqlite }),
        ] {
            try database.migrate()
            try seed(database, jobs: jobs)
            // PostgreSQL: one database object per loop, its own pool, as a node of its own.
            let workers = try (0..<loops).map { _ in try reopen() }
            let claimed = Claims()
            let started = Date()
            DispatchQueue.concurrentPerform(iterations: loops) { index in
                let queue = workers[index].jobs
                do {
                    while let job = try queue.claim(lease: 60, owner: "bench/\(index)") {
                        claimed.add(job.id)
                        try queue.complete(job)
                    }
                } catch {
                    claimed.fail("loop \(index): \(error)")
                }
            }
            let seconds = Date().timeIntervalSince(started)
            if let failure = claimed.failure { throw BenchError("job claims on \(name): \(failure)") }
            let twice = try database.sql.read { try $0.scalar(Int.self, "SELECT COUNT(*) FROM jobs WHERE attempts != 1 OR state != 'done'") } ?? -1
            guard claimed.count == jobs, claimed.duplicates == 0, twice == 0 else {
                throw BenchError(
                    "job claims on \(name): \(claimed.count) claims of \(jobs) jobs, \(claimed.duplicates) seen twice, \(twice) not done exactly once")
            }
            rates[name] = Double(jobs) / seconds
            print(
                "job claims on \(name): \(jobs) jobs claimed and completed by \(loops) loops in \(formatted(seconds, 2)) s = \(Int(rates[name]!)) claims/s, 0 double claims"
            )
        }
        if let pg = rates["PostgreSQL"], let lite = rates["SQLite"] {
            print("job claims: PostgreSQL / SQLite = \(formatted(pg / lite, 2))x (target: zero double claims; no throughput target)")
        }
    }

    /// `jobs` videos with a queued transcode job each, in one transaction.
    static func seed(_ database: KinoraDatabase, jobs: Int) throws {
        let now = Date()
        try database.sql.write { db in
            for start in stride(from: 0, to: jobs, by: 500) {
                let ids = (start..<min(jobs, start + 500)).map { String(format: "v%09d", $0) }
                let rows = Array(repeating: "(?, 'bench', 'public', 'processing', 1, ?, ?, ?)", count: ids.count).joined(separator: ", ")
                try db.execute(
                    "INSERT INTO videos(id, title, visibility, status, original_size, created_at, updated_at, listed_at) VALUES \(rows)",
                    ids.flatMap { [$0, now, now, now] as [any SQLBindable] })
                let jobsRows = Array(repeating: "(?, 'transcode', 'queued', ?, ?)", count: ids.count).joined(separator: ", ")
                try db.execute(
                    "INSERT INTO jobs(video_id, kind, state, created_at, updated_at) VALUES \(jobsRows)",
                    ids.flatMap { [$0, now, now] as [any SQLBindable] })
            }
        }
    }

    final class Claims: @unchecked Sendable {
        private let lock = NSLock()
        private var seen = Set<Int64>()
        private(set) var count = 0
        private(set) var duplicates = 0
        private(set) var failure: String?

        func add(_ id: Int64) {
            lock.withLock {
                count += 1
                if !seen.insert(id).inserted { duplicates += 1 }
            }
        }

        func fail(_ message: String) { lock.withLock { failure = failure ?? message } }
    }
}
