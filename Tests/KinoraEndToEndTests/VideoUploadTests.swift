import Foundation
import KinoraTestSupport
import Testing

/// Uploading through the real daemon: validation with FFmpeg before anything is stored,
/// clear refusals, visibility, listing and deletion.
@Suite(.serialized) struct VideoUploadTests {
    /// A short clip made with the ffmpeg CLI (fails loudly when ffmpeg is missing).
    static func makeClip(_ path: String, seconds: Int = 2) throws -> [UInt8] {
        let result = try TestEnvironment.run(
            "/usr/bin/ffmpeg",
            [
                "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=\(seconds)",
                "-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds)",
                "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", path,
            ])
        guard result.status == 0 else { throw TestFailure("ffmpeg could not make a test clip: \(result.output)") }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func upload(
        _ daemon: DaemonProcess, data: [UInt8], filename: String = "clip.mp4", fields: [String: String] = [:],
        token: String? = nil
    ) throws -> HTTPResult {
        var form = MultipartBody()
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) { form.field(name, value) }
        form.file("file", filename: filename, data: data)
        var headers = ["Content-Type": form.contentType]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        return try daemon.request("POST", "/api/v1/videos", headers: headers, body: form.finished())
    }

    @Test func aValidClipIsStoredAndDescribedAndCanBeDeleted() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("upload")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = try Self.makeClip(dir + "/clip.mp4")
        let daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()
        let token = daemon.adminToken

        #expect(try upload(daemon, data: clip).status == 401)

        let created = try upload(daemon, data: clip, fields: ["title": "Test <clip> & \"quotes\""], token: token)
        #expect(created.status == 201, "\(created.body)\n\(daemon.log)")
        let video = try #require(created.json as? [String: Any])
        let id = try #require(video["id"] as? String)
        #expect(id.count >= 13, "ids carry at least 64 random bits")
        #expect(video["title"] as? String == "Test <clip> & \"quotes\"")
        #expect(video["status"] as? String == "processing")
        #expect(video["playable"] as? Bool == false)
        #expect(video["width"] as? Int == 320 && video["height"] as? Int == 180)
        #expect(abs((video["duration"] as? Double ?? 0) - 2) < 0.2)
        #expect(created.headers["location"] == "/api/v1/videos/\(id)")
        let original = dir + "/data/media/videos/\(id)/original"
        #expect(try Data(contentsOf: URL(fileURLWithPath: original)) == Data(clip))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/data/uploads").isEmpty, "temporary upload left behind")

        let fetched = try daemon.get("/api/v1/videos/\(id)")
        #expect(fetched.status == 200 && (fetched.json as? [String: Any])?["id"] as? String == id)

        let second = try upload(daemon, data: clip, fields: ["visibility": "private"], token: token)
        let privateID = try #require((second.json as? [String: Any])?["id"] as? String)
        #expect(try daemon.get("/api/v1/videos/\(privateID)").status == 404)
        #expect(try daemon.get("/api/v1/videos/\(privateID)", headers: ["Authorization": "Bearer \(token)"]).status == 200)
        let publicList = try #require(try daemon.get("/api/v1/videos").json as? [String: Any])
        #expect((publicList["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
        let adminList = try #require(
            try daemon.get("/api/v1/videos?limit=1&all=true", headers: ["Authorization": "Bearer \(token)"]).json as? [String: Any])
        #expect((adminList["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [privateID])
        let cursor = try #require(adminList["next_cursor"] as? String)
        let nextPage = try #require(
            try daemon.get("/api/v1/videos?limit=1&all=true&cursor=\(cursor)", headers: ["Authorization": "Bearer \(token)"]).json as? [String: Any])
        #expect((nextPage["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
        #expect(try daemon.get("/api/v1/videos?cursor=garbage").status == 400)

        #expect(try daemon.request("DELETE", "/api/v1/videos/\(id)").status == 401)
        #expect(try daemon.request("DELETE", "/api/v1/videos/\(id)", headers: ["Authorization": "Bearer \(token)"]).status == 204)
        #expect(try daemon.get("/api/v1/videos/\(id)").status == 404)
        #expect(!FileManager.default.fileExists(atPath: dir + "/data/media/videos/\(id)"))
        #expect(try await daemon.stop() == 0)
    }

    @Test func whatIsNotAUsableVideoIsRefusedWithAReason() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("upload")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = try Self.makeClip(dir + "/clip.mp4")
        try "[uploads]\nmax_bytes = \(clip.count * 2)\n".write(toFile: dir + "/kinora.toml", atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", dir + "/kinora.toml"])
        try await daemon.start()
        let token = daemon.adminToken

        let text = try upload(daemon, data: Array("just some notes, not a video\n".utf8), filename: "notes.txt", token: token)
        #expect(text.status == 422)
        #expect(text.headers["content-type"] == "application/problem+json")
        #expect(((text.json as? [String: Any])?["detail"] as? String)?.isEmpty == false)

        let truncated = try upload(daemon, data: Array(clip.prefix(clip.count / 3)), token: token)
        #expect(truncated.status == 422, "\(truncated.body)")

        let empty = try upload(daemon, data: [], token: token)
        #expect(empty.status == 400)
        #expect((empty.json as? [String: Any])?["type"] as? String == "https://kinora.invalid/problems/empty-upload")

        let huge = try upload(daemon, data: clip + clip + clip, token: token)
        #expect(huge.status == 413, "\(huge.body)")

        let notMultipart = try daemon.request(
            "POST", "/api/v1/videos", headers: ["Authorization": "Bearer \(token)", "Content-Type": "video/mp4"], body: clip)
        #expect(notMultipart.status == 400)

        let badVisibility = try upload(daemon, data: clip, fields: ["visibility": "everyone"], token: token)
        #expect(badVisibility.status == 400)

        // Two file parts, and a body cut before its closing boundary: refused, nothing kept.
        var twoFiles = MultipartBody()
        twoFiles.file("file", filename: "a.mp4", data: clip)
        twoFiles.file("file", filename: "b.mp4", data: clip)
        let doubled = try daemon.request(
            "POST", "/api/v1/videos", headers: ["Authorization": "Bearer \(token)", "Content-Type": twoFiles.contentType],
            body: twoFiles.finished())
        #expect(doubled.status == 400 && doubled.body.contains("one part named"), "\(doubled.body)")
        var cut = MultipartBody()
        cut.file("file", filename: "a.mp4", data: clip)
        let unterminated = try daemon.request(
            "POST", "/api/v1/videos", headers: ["Authorization": "Bearer \(token)", "Content-Type": cut.contentType],
            body: cut.bytes)
        #expect(unterminated.status == 400 && unterminated.body.contains("closing boundary"), "\(unterminated.body)")
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: dir + "/data/uploads"))?.filter { $0.hasPrefix("upload-") } ?? []
        #expect(leftovers.isEmpty, "\(leftovers)")

        let list = try #require(try daemon.get("/api/v1/videos?all=true", headers: ["Authorization": "Bearer \(token)"]).json as? [String: Any])
        #expect((list["items"] as? [Any])?.isEmpty == true, "a refused upload must not create a video")
        #expect(try await daemon.stop() == 0)
    }
}

extension VideoUploadTests {
    @Test func theMediaWorkerAnswersInJSONForGoodAndBadFiles() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("media-worker")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.makeClip(dir + "/clip.mp4")
        try "not a video".write(toFile: dir + "/notes.txt", atomically: true, encoding: .utf8)
        let worker = TestEnvironment.buildDirectory + "/kinora-media"
        let good = try TestEnvironment.run(worker, ["probe", dir + "/clip.mp4"])
        let goodJSON = try #require(try JSONSerialization.jsonObject(with: Data(good.output.utf8)) as? [String: Any])
        #expect(good.status == 0 && goodJSON["ok"] as? Bool == true)
        let info = try #require(goodJSON["info"] as? [String: Any])
        #expect(info["displayWidth"] as? Int == 320 && (info["codecStrings"] as? [String])?.contains("mp4a.40.2") == true)
        let bad = try TestEnvironment.run(worker, ["probe", dir + "/notes.txt"])
        let badJSON = try #require(try JSONSerialization.jsonObject(with: Data(bad.output.utf8)) as? [String: Any])
        #expect(bad.status == 0 && badJSON["ok"] as? Bool == false && badJSON["code"] as? String == "not-media")
        let short = try TestEnvironment.run(worker, ["probe", dir + "/clip.mp4", "--max-duration", "1"])
        #expect(short.output.contains("\"code\":\"too-long\""))
        #expect(try TestEnvironment.run(worker, ["frobnicate"]).status == 2)
    }
}
