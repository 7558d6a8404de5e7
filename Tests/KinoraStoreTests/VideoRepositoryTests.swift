import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

@Suite struct VideoRepositoryTests {
    func video(_ id: String, visibility: String = "public", now: Date = Date()) -> VideoRecord {
        VideoRecord(
            id: id, title: "Video \(id)", visibility: visibility, originalKey: "videos/\(id)/original",
            originalName: "\(id).mp4", originalSize: 10, duration: 2, width: 320, height: 180, mediaInfo: nil, now: now)
    }

    func migrated(_ backend: StoreBackend) throws -> KinoraDatabase {
        let database = try backend.makeDatabase("videos")
        try database.migrate()
        return database
    }

    @Test(arguments: StoreBackend.allCases)
    func creatingAVideoQueuesItsTranscode(_ backend: StoreBackend) throws {
        let database = try migrated(backend)
        let record = video("a")
        try database.videos.create(record)
        let found = try #require(try database.videos.find("a"))
        #expect(found.title == "Video a" && found.originalSize == 10 && found.width == 320 && found.views == 0 && found.ownerID == nil)
        #expect(abs(found.createdAt.timeIntervalSince(record.createdAt)) < 0.001, "dates keep their milliseconds")
        let job = try #require(try database.videos.jobState(videoID: "a"))
        #expect(job.state == "queued" && job.progress == 0)
        #expect(try database.videos.delete("a"))
        #expect(try database.videos.jobState(videoID: "a") == nil, "jobs are deleted with their video")
        #expect(try database.videos.delete("a") == false)
    }

    @Test(arguments: StoreBackend.allCases)
    func pagesStayStableWhileVideosAreAdded(_ backend: StoreBackend) throws {
        let database = try migrated(backend)
        // Milliseconds that are not whole: a cursor must carry the date exactly as stored.
        let start = Date(timeIntervalSince1970: 1_700_000_000.123)
        func add(_ id: String, _ minute: Double) throws {
            try database.videos.create(video(id, now: start.addingTimeInterval(minute * 60 + minute * 0.007)))
        }
        for (index, id) in ["v1", "v2", "v3", "v4", "v5"].enumerated() { try add(id, Double(index)) }
        var query = VideoQuery()
        query.limit = 2
        let first = try database.videos.list(query)
        #expect(first.items.map(\.video.id) == ["v5", "v4"])
        try add("v6", 10)  // a newer video must not shift the next page
        query.cursor = first.nextCursor
        let second = try database.videos.list(query)
        #expect(second.items.map(\.video.id) == ["v3", "v2"])
        query.cursor = second.nextCursor
        let last = try database.videos.list(query)
        #expect(last.items.map(\.video.id) == ["v1"] && last.nextCursor == nil)
        for bad in ["nope", Data(#"["newest","not a date","v1"]"#.utf8).base64EncodedString()] {
            query.cursor = bad
            #expect(throws: InvalidCursor.self) { try database.videos.list(query) }
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func videosInTheSameMillisecondPageByID(_ backend: StoreBackend) throws {
        let database = try migrated(backend)
        let now = Date(timeIntervalSince1970: 1_700_000_000.456)
        for id in ["c", "a", "e", "b", "d"] { try database.videos.create(video(id, now: now)) }
        var query = VideoQuery()
        query.limit = 2
        var seen: [String] = []
        repeat {
            let page = try database.videos.list(query)
            seen += page.items.map(\.video.id)
            query.cursor = page.nextCursor
        } while query.cursor != nil
        #expect(seen == ["e", "d", "c", "b", "a"])
    }

    @Test(arguments: StoreBackend.allCases)
    func theDatabaseRefusesAnUnknownVisibility(_ backend: StoreBackend) throws {
        let database = try migrated(backend)
        #expect(throws: SQLError.self) { try database.videos.create(video("x", visibility: "everyone")) }
        #expect(try database.videos.find("x") == nil, "nothing of it stays: tags, search entry and job went with the failed insert")
    }

    @Test(arguments: StoreBackend.allCases)
    func publishingRecordsThePresentationAndThumbnails(_ backend: StoreBackend) throws {
        let database = try migrated(backend)
        try database.videos.create(video("v"))
        #expect(try !database.videos.isPublished("v") && database.videos.presentation("v") == nil)
        try database.videos.publish("v", presentation: #"{"renditions":[]}"#, ready: false)
        #expect(try database.videos.isPublished("v") && database.videos.find("v")?.status == "processing")
        try database.videos.publish("v", presentation: #"{"renditions":[1]}"#, ready: true)
        #expect(try database.videos.presentation("v") == #"{"renditions":[1]}"# && database.videos.find("v")?.status == "ready")
        try database.videos.setThumbnails("v", json: #"{"poster":"p.jpg"}"#)
        #expect(try database.videos.find("v")?.thumbnails == #"{"poster":"p.jpg"}"#)
        #expect(try database.videos.details(id: "v")?.presentation == #"{"renditions":[1]}"#)
        try database.videos.unpublish("v")
        #expect(try !database.videos.isPublished("v"))
        #expect(try !database.videos.isPublished("missing"))
    }

    @Test(arguments: StoreBackend.allCases)
    func aRunningJobEstimatesTheTimeLeft(_ backend: StoreBackend) throws {
        let database = try migrated(backend)
        try database.videos.create(video("v"))
        let now = Date()
        let job = try #require(try database.jobs.claim(lease: 60, now: now))
        try database.jobs.heartbeat(job, lease: 60, progress: 0.25, step: "encoding", now: now.addingTimeInterval(10))
        let progress = try #require(try database.videos.jobProgress(videoID: "v", now: now.addingTimeInterval(10)))
        #expect(progress.state == "running" && progress.progress == 0.25 && progress.step == "encoding")
        // A quarter done after 10 s: 30 s to go (the database keeps milliseconds).
        #expect(progress.etaSeconds.map { abs($0 - 30) <= 1 } == true, "\(String(describing: progress.etaSeconds))")
        let shown = try #require(try database.videos.details(id: "v", now: now.addingTimeInterval(10))?.job)
        #expect(shown.state == "running" && shown.etaSeconds == progress.etaSeconds, "a video shows the same estimate")
    }

    @Test(arguments: StoreBackend.allCases)
    func videosAreFoundByIDsAndByTheirOwnerOrTheirOwnersChannels(_ backend: StoreBackend) throws {
        let database = try migrated(backend)
        let owner = UserRecord(id: "u", username: "owner", role: "creator", passwordHash: "x")
        try database.users.create(owner)
        let channel = try database.channels.defaultChannel(for: owner)
        var direct = video("direct")
        direct.ownerID = owner.id
        var viaChannel = video("channel")
        viaChannel.channelID = channel.id
        for record in [direct, viaChannel, video("other")] { try database.videos.create(record) }
        #expect(Set(try database.videos.ids(ownedBy: owner.id)) == ["direct", "channel"])
        let found = try database.videos.find(ids: ["direct", "other", "missing", "other"])
        #expect(Set(found.keys) == ["direct", "other"] && found["direct"]?.ownerID == owner.id)
        #expect(try database.videos.find(ids: [String]()).isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func theDashboardCountsUsersVideosBytesAndUploadsPerDay(_ backend: StoreBackend) throws {
        let database = try migrated(backend)
        try database.users.create(UserRecord(id: "u", username: "someone", role: "viewer", passwordHash: "x"))
        let now = Date()
        try database.videos.create(video("today", now: now))
        try database.videos.create(video("yesterday", now: now.addingTimeInterval(-86400)))
        var bare = video("bare", now: now)
        bare.originalKey = nil
        try database.videos.create(bare)
        let totals = try database.adminStats.totals()
        #expect(totals.users == 1 && totals.videos == 3 && totals.originalBytes == 20, "only videos with an original hold bytes")
        #expect(try database.adminStats.originals().map(\.id) == ["today", "yesterday"])
        #expect(try database.adminStats.originals().first?.bytes == 10)
        let days = try database.adminStats.uploadsPerDay(days: 3, now: now)
        #expect(days.map(\.count) == [0, 1, 2] && days.last?.day == String(now.storageText.prefix(10)), "\(days)")

        let job = try #require(try database.jobs.claim(lease: 60, now: now))
        try database.jobs.fail(job, reason: "no decoder", maxAttempts: 1, backoff: 0, now: now)
        let failures = try database.adminStats.recentFailures(limit: 5)
        #expect(failures.map(\.videoID) == [job.videoID] && failures.first?.error == "no decoder")
    }
}
