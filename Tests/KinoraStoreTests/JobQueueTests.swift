import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

@Suite struct JobQueueTests {
    func setUp(_ backend: StoreBackend) throws -> KinoraDatabase {
        let database = try backend.makeDatabase("jobs")
        try database.migrate()
        for id in ["a", "b"] {
            try database.videos.create(
                VideoRecord(
                    id: id, title: id, visibility: "public", originalKey: nil, originalName: nil,
                    originalSize: 1, duration: 1, width: 1, height: 1, mediaInfo: nil))
        }
        return database
    }

    @Test(arguments: StoreBackend.allCases)
    func jobsAreClaimedOnceInOrderAndAnExpiredLeaseIsReclaimed(_ backend: StoreBackend) throws {
        let database = try setUp(backend)
        let now = Date()
        let first = try #require(try database.jobs.claim(lease: 60, now: now))
        let second = try #require(try database.jobs.claim(lease: 60, now: now))
        #expect(first.videoID == "a" && second.videoID == "b" && first.attempts == 1)
        #expect(try database.jobs.claim(lease: 60, now: now) == nil)
        try database.jobs.heartbeat(first, lease: 60, progress: 0.5, step: "encoding", now: now.addingTimeInterval(30))
        #expect(try database.videos.jobState(videoID: "a")?.progress == 0.5)
        // Half done after 30 s: about 30 s to go.
        // (The database keeps milliseconds, so allow a second either way.)
        let eta = try #require(try database.videos.jobProgress(videoID: "a", now: now.addingTimeInterval(30))?.etaSeconds)
        #expect((29...31).contains(eta), "eta \(eta)")
        // The worker holding "b" died: after its lease ends another worker takes the job over.
        let reclaimed = try #require(try database.jobs.claim(lease: 60, now: now.addingTimeInterval(61)))
        #expect(reclaimed.videoID == "b" && reclaimed.attempts == 2)
        try database.jobs.complete(first)
        #expect(try database.videos.jobState(videoID: "a")?.state == "done")
    }

    @Test(arguments: StoreBackend.allCases)
    func aDaemonCrashDoesNotUseUpAnAttemptUntilItHappensTooOften(_ backend: StoreBackend) throws {
        let database = try setUp(backend)
        var owner = "host/100/1"
        let first = try #require(try database.jobs.claim(lease: 60, owner: owner))
        #expect(first.attempts == 1)
        // Each restart after a kill -9 requeues the job with its attempt given back.
        for crash in 1...JobQueue.maxUncountedInterruptions {
            let next = "host/\(100 + crash)/1"
            #expect(try database.jobs.recoverAbandoned(host: "host", currentOwner: next) == 1)
            owner = next
            let again = try #require(try database.jobs.claim(lease: 60, owner: owner))
            #expect(again.id == first.id && again.attempts == 1, "crash \(crash): attempt \(again.attempts)")
        }
        // Past the cap the crashes count, so a daemon-killing input still fails in the end.
        #expect(try database.jobs.recoverAbandoned(host: "host", currentOwner: "host/999/1") == 1)
        let counted = try #require(try database.jobs.claim(lease: 60, owner: "host/999/1"))
        #expect(counted.id == first.id && counted.attempts == 2)
        // Another host's jobs, and this daemon's own, are left alone.
        #expect(try database.jobs.recoverAbandoned(host: "other", currentOwner: "other/1/1") == 0)
        #expect(try database.jobs.recoverAbandoned(host: "host", currentOwner: "host/999/1") == 0)
    }

    @Test(arguments: StoreBackend.allCases)
    func failuresRetryWithBackoffThenFailTheVideoWithTheReason(_ backend: StoreBackend) throws {
        let database = try setUp(backend)
        let now = Date()
        let job = try #require(try database.jobs.claim(lease: 60, now: now))
        #expect(try database.jobs.fail(job, reason: "encoder crashed", maxAttempts: 2, backoff: 30, now: now))
        #expect(try database.jobs.claim(lease: 60, now: now.addingTimeInterval(10))?.videoID == "b", "a backed-off job waits")
        let retry = try #require(try database.jobs.claim(lease: 60, now: now.addingTimeInterval(31)))
        #expect(retry.videoID == "a" && retry.attempts == 2)
        #expect(try database.jobs.fail(retry, reason: "encoder crashed again", maxAttempts: 2, backoff: 30, now: now) == false)
        let video = try #require(try database.videos.find("a"))
        #expect(video.status == "failed" && video.error == "encoder crashed again")
        #expect(try database.jobs.counts()["failed"] == 1)
    }

    @Test(arguments: StoreBackend.allCases)
    func retryQueuesAFailedJobAgainWithAttemptsResetAndTheVideoProcessing(_ backend: StoreBackend) throws {
        let database = try setUp(backend)
        let job = try #require(try database.jobs.claim(lease: 60))
        #expect(try database.jobs.retry(id: job.id) == .conflict("running"))
        #expect(try database.jobs.fail(job, reason: "no such file", maxAttempts: 1, backoff: 30) == false)
        #expect(try database.jobs.find(id: job.id)?.error == "no such file")
        #expect(try database.jobs.retry(id: job.id) == .changed)
        let again = try #require(try database.jobs.find(id: job.id))
        #expect(again.state == "queued" && again.attempts == 0 && again.error == nil && again.progress == 0)
        let video = try #require(try database.videos.find(job.videoID))
        #expect(video.status == "processing" && video.error == nil)
        // Queued again now (no backoff), with a fresh count of attempts.
        let claimed = try #require(try database.jobs.claim(lease: 60))
        #expect(claimed.id == job.id && claimed.attempts == 1)
        #expect(try database.jobs.retry(id: 999) == .notFound)
        // A second job for the same video while this one waits: one transcode at a time.
        #expect(try database.jobs.fail(claimed, reason: "again", maxAttempts: 1, backoff: 0) == false)
        #expect(try database.jobs.enqueueTranscode(videoID: job.videoID))
        #expect(try database.jobs.retry(id: job.id) == .videoBusy)
        let other = try #require(try database.jobs.claim(lease: 60))
        #expect(other.videoID == "b")
        let second = try #require(try database.jobs.claim(lease: 60))
        #expect(second.videoID == job.videoID && second.id != job.id)
        try database.jobs.complete(second)
        #expect(try database.jobs.retry(id: second.id) == .conflict("done"))
    }

    @Test(arguments: StoreBackend.allCases)
    func cancelStopsAJobForGoodAndTheWorkersLaterReportsCannotUndoIt(_ backend: StoreBackend) throws {
        let database = try setUp(backend)
        let running = try #require(try database.jobs.claim(lease: 60))
        let queued = try #require(try database.jobs.list(state: "queued", before: nil, limit: 10).items.first)
        #expect(try database.jobs.cancel(id: queued.id) == .changed)
        #expect(try database.jobs.claim(lease: 60) == nil, "a cancelled job is never claimed")
        #expect(try database.jobs.cancel(id: running.id) == .changed)
        #expect(try database.jobs.state(id: running.id) == "cancelled")
        let video = try #require(try database.videos.find(running.videoID))
        #expect(video.status == "failed" && video.error == JobQueue.cancelReason)
        // The worker finishes, fails, heartbeats or is shut down after the cancel: it stays cancelled.
        try database.jobs.heartbeat(running, lease: 60, progress: 0.9, step: "encoding")
        try database.jobs.complete(running)
        #expect(try database.jobs.fail(running, reason: "killed", maxAttempts: 1, backoff: 0) == false)
        try database.jobs.release(running)
        #expect(try database.jobs.find(id: running.id)?.state == "cancelled")
        #expect(try database.videos.find(running.videoID)?.error == JobQueue.cancelReason)
        #expect(try database.jobs.cancel(id: running.id) == .conflict("cancelled"))
        #expect(try database.jobs.counts()["cancelled"] == 2)
        // A cancelled job can be retried.
        #expect(try database.jobs.retry(id: running.id) == .changed)
    }

    @Test(arguments: StoreBackend.allCases)
    func cancellingTheRetranscodeOfAReadyVideoKeepsItPlaying(_ backend: StoreBackend) throws {
        let database = try setUp(backend)
        let job = try #require(try database.jobs.claim(lease: 60))
        try database.jobs.complete(job)
        try database.videos.publish(job.videoID, presentation: "{}", ready: true)
        #expect(try database.jobs.enqueueTranscode(videoID: job.videoID))
        let again = try #require(try database.jobs.list(state: "queued", before: nil, limit: 10).items.first { $0.videoID == job.videoID })
        #expect(try database.jobs.cancel(id: again.id) == .changed)
        #expect(try database.videos.find(job.videoID)?.status == "ready")
    }

    @Test(arguments: StoreBackend.allCases)
    func theAdminListIsNewestFirstWithAKeysetCursorAndAStateFilter(_ backend: StoreBackend) throws {
        let database = try setUp(backend)
        let first = try database.jobs.list(state: nil, before: nil, limit: 1)
        #expect(first.items.map(\.videoID) == ["b"] && first.items.first?.videoTitle == "b")
        let next = try #require(first.next)
        let second = try database.jobs.list(state: nil, before: next, limit: 1)
        #expect(second.items.map(\.videoID) == ["a"] && second.next == nil)
        _ = try database.jobs.claim(lease: 60)
        #expect(try database.jobs.list(state: "running", before: nil, limit: 10).items.map(\.videoID) == ["a"])
        #expect(try database.jobs.list(state: "failed", before: nil, limit: 10).items.isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func uploadsPerDayCoverEveryDayOfTheWindowOldestFirst(_ backend: StoreBackend) throws {
        let database = try setUp(backend)
        let days = try database.adminStats.uploadsPerDay(days: 14)
        #expect(days.count == 14 && days.last?.count == 2 && days.dropLast().allSatisfy { $0.count == 0 })
        #expect(days.last?.day == String(Date().storageText.prefix(10)) && days[0].day < days[13].day)
        let totals = try database.adminStats.totals()
        #expect(totals.videos == 2 && totals.originalBytes == 0, "videos without an original hold no bytes")
    }
}
