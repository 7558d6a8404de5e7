import Foundation
import KinoraTestSupport
import Testing

/// `/streams/{video}/…` as a player and a CDN use it: ranges, validators, caching, CORS,
/// visibility and paths that must never be served.
@Suite(.serialized) struct StreamRouteTests {
    func uploadClip(_ daemon: DaemonProcess, dir: String, visibility: String = "public") throws -> String {
        let clip = try PlaybackTests.makeClip(dir + "/clip-\(visibility).mp4", size: "1280x720", seconds: 1)
        return try daemon.uploadVideo(clip, fields: ["visibility": visibility])
    }

    @Test func segmentsAndManifestsAreServedLikeACDNExpects() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("streams")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()
        let id = try uploadClip(daemon, dir: dir)
        _ = try await PlaybackTests.waitUntilReady(daemon, id: id)
        let folder = dir + "/data/media/videos/\(id)"
        // Replace one published segment by known bytes, to check exactly what is served.
        let segment = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        try Data(segment).write(to: URL(fileURLWithPath: folder + "/720p/seg-00001.m4s"))
        let masterText = try String(contentsOfFile: folder + "/master.m3u8", encoding: .utf8)

        let whole = try daemon.get("/streams/\(id)/720p/seg-00001.m4s")
        #expect(whole.status == 200)
        #expect(whole.headers["content-type"] == "video/iso.segment")
        #expect(whole.headers["content-length"] == "100000")
        #expect(whole.headers["cache-control"]?.contains("immutable") == true)
        #expect(whole.headers["accept-ranges"] == "bytes")
        #expect(whole.headers["access-control-allow-origin"] == "*")
        #expect(whole.bytes == segment)
        let etag = try #require(whole.headers["etag"])

        let partial = try daemon.get("/streams/\(id)/720p/seg-00001.m4s", headers: ["Range": "bytes=10-19"])
        #expect(partial.status == 206)
        #expect(partial.headers["content-range"] == "bytes 10-19/100000")
        #expect(partial.headers["content-length"] == "10")
        #expect(partial.bytes == Array(segment[10...19]))
        let suffix = try daemon.get("/streams/\(id)/720p/seg-00001.m4s", headers: ["Range": "bytes=-5"])
        #expect(suffix.status == 206 && suffix.headers["content-range"] == "bytes 99995-99999/100000")
        let beyond = try daemon.get("/streams/\(id)/720p/seg-00001.m4s", headers: ["Range": "bytes=100000-"])
        #expect(beyond.status == 416 && beyond.headers["content-range"] == "bytes */100000")

        #expect(try daemon.get("/streams/\(id)/720p/seg-00001.m4s", headers: ["If-None-Match": etag]).status == 304)
        let head = try daemon.request("HEAD", "/streams/\(id)/720p/seg-00001.m4s")
        #expect(head.status == 200 && head.headers["content-length"] == "100000" && head.body.isEmpty)

        let manifest = try daemon.get("/streams/\(id)/master.m3u8")
        #expect(manifest.status == 200 && manifest.body == masterText)
        #expect(manifest.headers["content-type"] == "application/vnd.apple.mpegurl")
        #expect(manifest.headers["cache-control"]?.contains("immutable") == false)
        let preflight = try daemon.request("OPTIONS", "/streams/\(id)/master.m3u8")
        #expect(preflight.status == 204 && preflight.headers["access-control-allow-methods"]?.contains("GET") == true)

        // Never the original upload, never a traversal, never an unknown type.
        for path in ["original", "..%2F..%2Fadmin-token", "720p/../../../admin-token", "720p/.hidden.m4s", "notes.txt", "a/b/c/d.m4s"] {
            #expect(try daemon.get("/streams/\(id)/\(path)").status == 404, "\(path) must not be served")
        }
        #expect(try daemon.get("/streams/\(id)/720p/seg-99999.m4s").status == 404)
        #expect(try daemon.get("/streams/nosuchvideo/master.m3u8").status == 404)
        #expect(try await daemon.stop() == 0)
    }

    @Test func privateVideosAreNotServedToStrangers() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("streams")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()
        let id = try uploadClip(daemon, dir: dir, visibility: "private")
        // Published once the admin is served it (the file appears just before the database
        // says published, and the stream cache may hold the older answer for a second).
        let asAdmin = ["Authorization": "Bearer \(daemon.adminToken)"]
        let deadline = ContinuousClock.now + .seconds(120)
        var admin = try daemon.get("/streams/\(id)/master.m3u8", headers: asAdmin)
        while admin.status != 200 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            admin = try daemon.get("/streams/\(id)/master.m3u8", headers: asAdmin)
        }
        #expect(admin.status == 200 && admin.headers["cache-control"]?.hasPrefix("private") == true, "\(admin.status)")
        #expect(try daemon.get("/streams/\(id)/master.m3u8").status == 404)
        #expect(try daemon.get("/streams/\(id)/240p/init.mp4").status == 404)
        #expect(try await daemon.stop() == 0)
    }
}
