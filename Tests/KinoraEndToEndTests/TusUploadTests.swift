import Foundation
import KinoraTestSupport
import Testing

/// tus 1.0 resumable uploads through the real daemon: the raw protocol, a real client (PyPI
/// tuspy) interrupted and resumed, a daemon restart mid-upload, and expiry.
@Suite(.serialized) struct TusUploadTests {
    static let tus = ["Tus-Resumable": "1.0.0"]

    func headers(_ token: String?, _ extra: [String: String] = [:]) -> [String: String] {
        var headers = Self.tus
        if let token { headers["Authorization"] = "Bearer \(token)" }
        return headers.merging(extra) { $1 }
    }

    /// `Upload-Metadata` as tus encodes it.
    static func metadata(_ pairs: [String: String]) -> String {
        pairs.sorted { $0.key < $1.key }.map { "\($0.key) \(Data($0.value.utf8).base64EncodedString())" }.joined(separator: ",")
    }

    /// `sha1 <base64>` computed by coreutils' sha1sum, independently of the daemon's code.
    static func sha1Header(_ bytes: ArraySlice<UInt8>, scratch: String) throws -> String {
        let path = scratch + "/chunk.bin"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let result = try TestEnvironment.run("/usr/bin/sha1sum", [path])
        let hex = Array(result.output.prefix(40))
        guard result.status == 0, hex.count == 40 else { throw TestFailure("sha1sum failed: \(result.output)") }
        let digest = stride(from: 0, to: 40, by: 2).map { UInt8(String(hex[$0..<$0 + 2]), radix: 16)! }
        return "sha1 " + Data(digest).base64EncodedString()
    }

    func create(_ daemon: DaemonProcess, length: Int, metadata: [String: String] = [:], token: String) throws -> (HTTPResult, String) {
        var extra = ["Upload-Length": String(length)]
        if !metadata.isEmpty { extra["Upload-Metadata"] = Self.metadata(metadata) }
        let created = try daemon.request("POST", "/api/v1/uploads", headers: headers(token, extra))
        let location = created.headers["location"] ?? ""
        return (created, location)
    }

    func patch(
        _ daemon: DaemonProcess, _ location: String, offset: Int, _ bytes: ArraySlice<UInt8>, token: String,
        checksum: String? = nil
    ) throws -> HTTPResult {
        var extra = ["Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream"]
        if let checksum { extra["Upload-Checksum"] = checksum }
        return try daemon.request("PATCH", location, headers: headers(token, extra), body: Array(bytes))
    }

    func head(_ daemon: DaemonProcess, _ location: String, token: String?) throws -> HTTPResult {
        try daemon.request("HEAD", location, headers: headers(token))
    }

    @Test func theRawProtocolCreatesPatchesVerifiesCompletesAndTerminates() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("tus")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = try VideoUploadTests.makeClip(dir + "/clip.mp4")
        let maxBytes = clip.count * 2
        try "[uploads]\nmax_bytes = \(maxBytes)\n".write(toFile: dir + "/kinora.toml", atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", dir + "/kinora.toml"])
        try await daemon.start()
        let token = daemon.adminToken

        // Discovery: no credentials, no Tus-Resumable needed.
        let options = try daemon.request("OPTIONS", "/api/v1/uploads")
        #expect(options.status == 204, "\(options.body)")
        #expect(options.headers["tus-version"] == "1.0.0" && options.headers["tus-resumable"] == "1.0.0")
        let extensions = Set((options.headers["tus-extension"] ?? "").split(separator: ",").map(String.init))
        #expect(extensions.isSuperset(of: ["creation", "creation-with-upload", "termination", "expiration", "checksum"]))
        #expect(options.headers["tus-max-size"] == String(maxBytes))
        #expect(options.headers["tus-checksum-algorithm"]?.split(separator: ",").contains("sha1") == true)

        // Refusals before anything is created.
        let noVersion = try daemon.request("POST", "/api/v1/uploads", headers: ["Authorization": "Bearer \(token)", "Upload-Length": "10"])
        #expect(noVersion.status == 412 && noVersion.headers["tus-version"] == "1.0.0", "\(noVersion.status)")
        let noToken = try daemon.request("POST", "/api/v1/uploads", headers: headers(nil, ["Upload-Length": "10"]))
        #expect(noToken.status == 401 && noToken.headers["tus-resumable"] == "1.0.0")
        #expect(try create(daemon, length: maxBytes + 1, token: token).0.status == 413)
        #expect(try daemon.request("POST", "/api/v1/uploads", headers: headers(token, ["Upload-Defer-Length": "1"])).status == 400)
        #expect(try daemon.request("POST", "/api/v1/uploads", headers: headers(token)).status == 400, "Upload-Length is required")
        #expect(try create(daemon, length: 10, metadata: ["visibility": "everyone"], token: token).0.status == 400)
        #expect(
            try daemon.request("POST", "/api/v1/uploads", headers: headers(token, ["Upload-Length": "10", "Upload-Metadata": "title %%%"])).status
                == 400)

        // Create, with the metadata keys Kinora honours.
        let title = "Tus <clip> ✓ \"quoted\""
        let (created, location) = try create(
            daemon, length: clip.count, metadata: ["filename": "holiday.mp4", "title": title, "visibility": "unlisted"], token: token)
        #expect(created.status == 201, "\(created.body)\n\(daemon.log)")
        #expect(created.headers["tus-resumable"] == "1.0.0" && created.headers["upload-expires"]?.hasSuffix("GMT") == true)
        let uploadID = String(location.dropFirst("/api/v1/uploads/".count))
        #expect(location.hasPrefix("/api/v1/uploads/") && uploadID.count >= 20, "\(location)")
        let partial = dir + "/data/uploads/tus/\(uploadID)"

        let fresh = try head(daemon, location, token: token)
        #expect(fresh.status == 200 && fresh.headers["upload-offset"] == "0" && fresh.headers["upload-length"] == String(clip.count))
        #expect(fresh.headers["cache-control"] == "no-store" && fresh.headers["kinora-video-id"] == nil)
        #expect(try head(daemon, location, token: nil).status == 401)
        #expect(try head(daemon, "/api/v1/uploads/nosuchupload", token: token).status == 404)

        // Three chunks; the second is refused twice before it lands.
        let third = clip.count / 3
        let chunks = [clip[0..<third], clip[third..<2 * third], clip[(2 * third)...]]
        let first = try patch(daemon, location, offset: 0, chunks[0], token: token, checksum: try Self.sha1Header(chunks[0], scratch: dir))
        #expect(first.status == 204 && first.headers["upload-offset"] == String(third), "\(first.status) \(first.body)")
        #expect(first.headers["tus-resumable"] == "1.0.0" && first.headers["kinora-video-id"] == nil)

        let wrongOffset = try patch(daemon, location, offset: 0, chunks[1], token: token)
        #expect(wrongOffset.status == 409, "\(wrongOffset.body)")
        let badChecksum = try patch(daemon, location, offset: third, chunks[1], token: token, checksum: try Self.sha1Header(chunks[0], scratch: dir))
        #expect(badChecksum.status == 460, "\(badChecksum.status) \(badChecksum.body)")
        #expect(try head(daemon, location, token: token).headers["upload-offset"] == String(third), "a mismatched chunk must not advance the offset")
        #expect((try FileManager.default.attributesOfItem(atPath: partial)[.size] as? Int) == third, "the refused bytes were not cut back")
        let wrongType = try daemon.request(
            "PATCH", location, headers: headers(token, ["Upload-Offset": String(third), "Content-Type": "video/mp4"]), body: Array(chunks[1]))
        #expect(wrongType.status == 415)
        let unknownAlgorithm = try patch(daemon, location, offset: third, chunks[1], token: token, checksum: "crc32 AAAAAA==")
        #expect(unknownAlgorithm.status == 400)

        let second = try patch(daemon, location, offset: third, chunks[1], token: token, checksum: try Self.sha1Header(chunks[1], scratch: dir))
        #expect(second.status == 204 && second.headers["upload-offset"] == String(2 * third), "\(second.body)")

        // Past Upload-Length: refused whole.
        let tooLong = try patch(daemon, location, offset: 2 * third, chunks[2] + [0], token: token)
        #expect(tooLong.status == 413, "\(tooLong.status) \(tooLong.body)")
        #expect(try head(daemon, location, token: token).headers["upload-offset"] == String(2 * third))

        let last = try patch(daemon, location, offset: 2 * third, chunks[2], token: token)
        #expect(last.status == 204 && last.headers["upload-offset"] == String(clip.count), "\(last.status) \(last.body)\n\(daemon.log)")
        let videoID = try #require(last.headers["kinora-video-id"])
        let done = try head(daemon, location, token: token)
        #expect(done.status == 200 && done.headers["kinora-video-id"] == videoID && done.headers["upload-offset"] == String(clip.count))
        #expect(!FileManager.default.fileExists(atPath: partial), "the partial file outlived the upload")

        let video = try #require(try daemon.get("/api/v1/videos/\(videoID)").json as? [String: Any])
        #expect(video["title"] as? String == title)
        #expect(video["visibility"] as? String == "unlisted" && video["original_name"] as? String == "holiday.mp4")
        #expect(video["status"] as? String == "processing" && video["width"] as? Int == 320)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/data/media/videos/\(videoID)/original")) == Data(clip))

        // Termination.
        let (other, otherLocation) = try create(daemon, length: clip.count, token: token)
        #expect(other.status == 201)
        #expect(try patch(daemon, otherLocation, offset: 0, chunks[0], token: token).status == 204)
        #expect(try daemon.request("DELETE", otherLocation, headers: headers(nil)).status == 401)
        #expect(try daemon.request("DELETE", otherLocation, headers: headers(token)).status == 204)
        #expect(try head(daemon, otherLocation, token: token).status == 404)
        #expect(try patch(daemon, otherLocation, offset: third, chunks[1], token: token).status == 404)
        #expect(
            !FileManager.default.fileExists(atPath: dir + "/data/" + otherLocation.replacingOccurrences(of: "/api/v1/uploads/", with: "uploads/tus/"))
        )

        // A finished upload that is not a video: refused by the shared ingest, nothing kept.
        let notes = Array("just some notes, not a video\n".utf8)
        let (_, notesLocation) = try create(daemon, length: notes.count, metadata: ["filename": "notes.txt"], token: token)
        let refused = try patch(daemon, notesLocation, offset: 0, notes[...], token: token)
        #expect(refused.status == 422 && refused.headers["content-type"] == "application/problem+json", "\(refused.status) \(refused.body)")
        #expect(refused.headers["tus-resumable"] == "1.0.0")
        #expect(try head(daemon, notesLocation, token: token).status == 404)

        // creation-with-upload: the whole file in the POST.
        let oneShot = try daemon.request(
            "POST", "/api/v1/uploads",
            headers: headers(
                token,
                [
                    "Upload-Length": String(clip.count), "Content-Type": "application/offset+octet-stream",
                    "Upload-Metadata": Self.metadata(["title": "one shot"]),
                ]), body: clip)
        #expect(oneShot.status == 201 && oneShot.headers["upload-offset"] == String(clip.count), "\(oneShot.status) \(oneShot.body)")
        let oneShotVideo = try #require(oneShot.headers["kinora-video-id"])
        #expect((try daemon.get("/api/v1/videos/\(oneShotVideo)").json as? [String: Any])?["title"] as? String == "one shot")

        // Deleting the video ends its upload record too.
        #expect(try daemon.request("DELETE", "/api/v1/videos/\(videoID)", headers: ["Authorization": "Bearer \(token)"]).status == 204)
        #expect(try head(daemon, location, token: token).status == 404)
        #expect(try await daemon.stop() == 0)
    }

    @Test func anUploadSurvivesADaemonRestart() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("tus-restart")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = try VideoUploadTests.makeClip(dir + "/clip.mp4")
        let half = clip.count / 2
        var daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()
        let token = daemon.adminToken
        let (created, location) = try create(daemon, length: clip.count, metadata: ["title": "restarted"], token: token)
        #expect(created.status == 201)
        #expect(try patch(daemon, location, offset: 0, clip[..<half], token: token).status == 204)
        #expect(try await daemon.stop() == 0, "SIGTERM must stop the daemon cleanly")

        daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()
        let resumed = try head(daemon, location, token: token)
        #expect(resumed.status == 200 && resumed.headers["upload-offset"] == String(half), "\(resumed.status) \(resumed.headers)\n\(daemon.log)")
        let last = try patch(daemon, location, offset: half, clip[half...], token: token)
        #expect(last.status == 204, "\(last.body)")
        let videoID = try #require(last.headers["kinora-video-id"])
        #expect((try daemon.get("/api/v1/videos/\(videoID)").json as? [String: Any])?["title"] as? String == "restarted")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/data/media/videos/\(videoID)/original")) == Data(clip))
        #expect(try await daemon.stop() == 0)
    }

    @Test func abandonedUploadsExpireAndAreSwept() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("tus-expiry")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // 0.0005 h = 1.8 s; the sweep then runs every second.
        try "[uploads]\ntus_expiry_hours = 0.0005\n".write(toFile: dir + "/kinora.toml", atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", dir + "/kinora.toml"])
        try await daemon.start()
        let token = daemon.adminToken
        let (created, location) = try create(daemon, length: 1000, token: token)
        #expect(created.status == 201)
        #expect(try patch(daemon, location, offset: 0, Array(repeating: 7, count: 100)[...], token: token).status == 204)
        let partial = dir + "/data/" + location.replacingOccurrences(of: "/api/v1/uploads/", with: "uploads/tus/")
        #expect(FileManager.default.fileExists(atPath: partial))
        var status = 200
        let deadline = ContinuousClock.now + .seconds(15)
        while status != 404 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            status = try head(daemon, location, token: token).status
            #expect([200, 404, 410].contains(status))
        }
        #expect(status == 404, "the expired upload was not swept:\n\(daemon.log)")
        #expect(!FileManager.default.fileExists(atPath: partial))
        #expect(try await daemon.stop() == 0)
    }
}

extension TusUploadTests {
    static func tusPython() throws -> String { try TestEnvironment.testPython() }

    func tusClient(_ python: String, _ arguments: [String]) throws -> [String: Any] {
        let script = TestEnvironment.pythonFixture("tus_client.py")
        let result = try TestEnvironment.run(python, [script] + arguments)
        guard result.status == 0, let line = result.output.split(separator: "\n").last,
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else {
            throw TestFailure("tuspy \(arguments.first ?? "") failed (\(result.status)):\n\(result.output)")
        }
        return object
    }

    @Test func aRealTusClientIsInterruptedAndResumesAcrossARestart() async throws {
        let python = try Self.tusPython()
        let dir = try TestEnvironment.makeTemporaryDirectory("tuspy")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = try VideoUploadTests.makeClip(dir + "/clip.mp4", seconds: 4)
        let chunk = clip.count / 4 + 1
        let store = dir + "/tuspy-urls.json"
        var daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()
        let token = daemon.adminToken

        // The first client sends two of four chunks, then goes away.
        let started = try tusClient(
            python, ["start", "http://127.0.0.1:\(daemon.port)/", token, dir + "/clip.mp4", store, String(chunk), "2", "from tuspy"])
        #expect(started["offset"] as? Int == 2 * chunk, "\(started)")
        let url = try #require(started["url"] as? String)
        #expect(url.contains("/api/v1/uploads/"))

        // The daemon restarts on the same data folder (another port).
        #expect(try await daemon.stop() == 0)
        daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()

        // A new client finds the upload in its URL store, asks the offset, finishes.
        let resumed = try tusClient(python, ["resume", "http://127.0.0.1:\(daemon.port)/", token, dir + "/clip.mp4", store, String(chunk)])
        #expect(resumed["resumed_at"] as? Int == 2 * chunk, "\(resumed)")
        #expect(resumed["offset"] as? Int == clip.count)
        let videoID = try #require(resumed["video_id"] as? String, "\(resumed)\n\(daemon.log)")
        let video = try #require(try daemon.get("/api/v1/videos/\(videoID)").json as? [String: Any])
        #expect(video["title"] as? String == "from tuspy" && video["original_name"] as? String == "clip.mp4")
        #expect(abs((video["duration"] as? Double ?? 0) - 4) < 0.2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/data/media/videos/\(videoID)/original")) == Data(clip))
        #expect(daemon.log.contains("PATCH /api/v1/uploads/"), "the client did not speak tus to the daemon")
        #expect(try await daemon.stop() == 0)
    }
}
