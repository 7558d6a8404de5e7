import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

@Suite struct JobQueueTests {
    func setUp() throws -> (KinoraDatabase, String) {
        let dir = try TestEnvironment.makeTemporaryDirectory("jobs")
        let database = try KinoraDatabase(path: dir + "/kinora.sqlite")
        try database.migrate()
        for id in ["a", "b"] {
            try database.videos.create(VideoRecord(id: id, title: id, visibility: "public", originalKey: nil, originalName: nil,
                                                   originalSize: 1, duration: 1, width: 1, height: 1, mediaInfo: nil))
        }
        return (database, dir)
    }

    @Test func jobsAreClaimedOnceInOrderAndAnExpiredLeaseIsReclaimed() throws {
        let (database, dir) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
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

    @Test func failuresRetryWithBackoffThenFailTheVideoWithTheReason() throws {
        let (database, dir) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
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
}
