import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

@Suite struct VideoRepositoryTests {
    func video(_ id: String, visibility: String = "public") -> VideoRecord {
        VideoRecord(
            id: id, title: "Video \(id)", visibility: visibility, originalKey: "videos/\(id)/original",
            originalName: "\(id).mp4", originalSize: 10, duration: 2, width: 320, height: 180, mediaInfo: nil)
    }

    @Test func creatingAVideoQueuesItsTranscode() throws {
        let (database, dir) = try TestEnvironment.migratedDatabase("videos")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try database.videos.create(video("a"))
        #expect(try database.videos.find("a")?.title == "Video a")
        let job = try #require(try database.videos.jobState(videoID: "a"))
        #expect(job.state == "queued" && job.progress == 0)
        #expect(try database.videos.delete("a"))
        #expect(try database.videos.jobState(videoID: "a") == nil, "jobs are deleted with their video")
        #expect(try database.videos.delete("a") == false)
    }

    @Test func pagesStayStableWhileVideosAreAdded() throws {
        let (database, dir) = try TestEnvironment.migratedDatabase("videos")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        func add(_ id: String, _ minute: Double) throws {
            var record = video(id)
            record.createdAt = start.addingTimeInterval(minute * 60)
            record.listedAt = record.createdAt
            try database.videos.create(record)
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
        query.cursor = "nope"
        #expect(throws: InvalidCursor.self) { try database.videos.list(query) }
    }

    @Test func theDatabaseRefusesAnUnknownVisibility() throws {
        let (database, dir) = try TestEnvironment.migratedDatabase("videos")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: (any Error).self) { try database.videos.create(video("x", visibility: "everyone")) }
    }
}
