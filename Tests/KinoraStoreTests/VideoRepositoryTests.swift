import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

@Suite struct VideoRepositoryTests {
    func database() throws -> (KinoraDatabase, String) {
        let dir = try TestEnvironment.makeTemporaryDirectory("videos")
        let database = try KinoraDatabase(path: dir + "/kinora.sqlite")
        try database.migrate()
        return (database, dir)
    }

    func video(_ id: String, visibility: String = "public") -> VideoRecord {
        VideoRecord(id: id, title: "Video \(id)", visibility: visibility, originalKey: "videos/\(id)/original",
                    originalName: "\(id).mp4", originalSize: 10, duration: 2, width: 320, height: 180, mediaInfo: nil)
    }

    @Test func creatingAVideoQueuesItsTranscode() throws {
        let (database, dir) = try database()
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
        let (database, dir) = try database()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for id in ["v1", "v2", "v3", "v4", "v5"] { try database.videos.create(video(id)) }
        let first = try database.videos.list(limit: 2, cursor: nil)
        #expect(first.videos.map(\.id) == ["v5", "v4"])
        try database.videos.create(video("v6"))  // a newer video must not shift the next page
        let second = try database.videos.list(limit: 2, cursor: first.nextCursor)
        #expect(second.videos.map(\.id) == ["v3", "v2"])
        let last = try database.videos.list(limit: 2, cursor: second.nextCursor)
        #expect(last.videos.map(\.id) == ["v1"] && last.nextCursor == nil)
        #expect(throws: VideoRepository.InvalidCursor.self) { try database.videos.list(limit: 2, cursor: "nope") }
    }

    @Test func theDatabaseRefusesAnUnknownVisibility() throws {
        let (database, dir) = try database()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: (any Error).self) { try database.videos.create(video("x", visibility: "everyone")) }
    }
}
