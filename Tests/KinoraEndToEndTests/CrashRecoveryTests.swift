import Foundation
import KinoraTestSupport
import Testing

/// A daemon killed (kill -9) in the middle of an upload's final ingest or of a transcode, and
/// started again on the same data folder: nothing is lost silently, and the crash is not held
/// against the file. Crashes are placed exactly with ``GatedMediaWorker``.
@Suite(.serialized) struct CrashRecoveryTests {
    static let tus = ["Tus-Resumable": "1.0.0"]

    func tus(_ token: String, _ extra: [String: String] = [:]) -> [String: String] {
        Self.tus.merging(["Authorization": "Bearer \(token)"]) { $1 }.merging(extra) { $1 }
    }

    func create(_ daemon: DaemonProcess, length: Int, filename: String) throws -> String {
        let created = try daemon.request(
            "POST", "/api/v1/uploads",
            headers: tus(
                daemon.adminToken,
                [
                    "Upload-Length": String(length), "Upload-Metadata": "filename " + Data(filename.utf8).base64EncodedString(),
                ]))
        guard created.status == 201, let location = created.headers["location"] else {
            throw TestFailure("create: \(created.status) \(created.body)")
        }
        return location
    }

    func patch(_ daemon: DaemonProcess, _ location: String, offset: Int, _ bytes: ArraySlice<UInt8>) throws -> HTTPResult {
        try daemon.request(
            "PATCH", location,
            headers: tus(
                daemon.adminToken,
                [
                    "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream",
                ]), body: Array(bytes))
    }

    func head(_ daemon: DaemonProcess, _ location: String) throws -> HTTPResult {
        try daemon.request("HEAD", location, headers: tus(daemon.adminToken))
    }

    /// Sends a request on a thread of its own and forgets it: its daemon is about to die.
    static func sendAndForget(_ body: @escaping @Sendable () throws -> Void) {
        Thread.detachNewThread { _ = try? body() }
    }

    static func problemType(_ result: HTTPResult) -> String? {
        ((result.json as? [String: Any])?["type"] as? String)?.replacingOccurrences(of: "https://kinora.invalid/problems/", with: "")
    }

    @Test func aKillDuringTheFinalIngestEndsAsAVideoOrAVisibleRefusalAfterTheRestart() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("tus-crash")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = try VideoUploadTests.makeClip(dir + "/clip.mp4")
        let notes = Array("just some notes, not a video\n".utf8)
        let worker = try GatedMediaWorker(in: dir)
        defer { worker.killHeld() }
        let daemon = try worker.daemon(in: dir)
        try await daemon.start()

        let video = try create(daemon, length: clip.count, filename: "clip.mp4")
        let text = try create(daemon, length: notes.count, filename: "notes.txt")
        #expect(try patch(daemon, video, offset: 0, clip.dropLast(1000)).status == 204)
        #expect(try patch(daemon, text, offset: 0, notes.dropLast(5)).status == 204)

        // Both final PATCHes start their ingest, whose probe waits at the hold.
        worker.hold("probe")
        let port = daemon.port
        let headers = tus(daemon.adminToken, ["Content-Type": "application/offset+octet-stream"])
        Self.sendAndForget {
            _ = try HTTPResult.fetch(
                port: port, method: "PATCH", path: video, headers: headers.merging(["Upload-Offset": String(clip.count - 1000)]) { $1 },
                body: Array(clip.suffix(1000)))
        }
        Self.sendAndForget {
            _ = try HTTPResult.fetch(
                port: port, method: "PATCH", path: text, headers: headers.merging(["Upload-Offset": String(notes.count - 5)]) { $1 },
                body: Array(notes.suffix(5)))
        }
        try await worker.waitUntilHeld(2)

        // Every byte is stored, but there is no video yet: a client must not be told it is
        // done. The offset stays one byte short; resending that byte waits for the ingest.
        let during = try head(daemon, video)
        #expect(during.status == 200 && during.headers["upload-offset"] == String(clip.count - 1), "\(during.headers)")
        #expect(during.headers["kinora-video-id"] == nil && during.headers["kinora-upload-state"] == "ingesting", "\(during.headers)")
        let busy = try patch(daemon, video, offset: clip.count - 1, clip.suffix(1))
        #expect(busy.status == 423 && busy.headers["retry-after"] != nil, "\(busy.status) \(busy.headers)")

        daemon.killHard()
        worker.killHeld()
        let restarted = try worker.daemon(in: dir)
        try await restarted.start()

        // The interrupted ingest runs again at start: the upload becomes its video.
        let done = await DaemonProcess.poll(timeout: .seconds(60)) { [self] in
            (try? head(restarted, video)).flatMap { $0.headers["kinora-video-id"] != nil ? $0 : nil }
        }
        let finished = try #require(done, "no video after the restart:\n\(restarted.log)")
        #expect(finished.headers["upload-offset"] == String(clip.count))
        let id = try #require(finished.headers["kinora-video-id"])
        let shown = try #require(
            try restarted.get("/api/v1/videos/\(id)", headers: ["Authorization": "Bearer \(restarted.adminToken)"]).json as? [String: Any])
        #expect(shown["original_name"] as? String == "clip.mp4" && shown["width"] as? Int == 320, "\(shown)")

        // The file that is no video is refused now, and says so to whoever asks.
        let refused = await DaemonProcess.poll(timeout: .seconds(60)) { [self] in
            (try? head(restarted, text)).flatMap { $0.headers["kinora-upload-state"] == "refused" ? $0 : nil }
        }
        let answer = try #require(refused, "the refusal is not shown:\n\(restarted.log)")
        #expect(answer.headers["kinora-video-id"] == nil && answer.headers["upload-offset"] == String(notes.count - 1))
        #expect(answer.headers["kinora-upload-error"]?.isEmpty == false, "\(answer.headers)")
        let last = try patch(restarted, text, offset: notes.count - 1, notes.suffix(1))
        #expect(last.status == 422 && Self.problemType(last) == "upload-refused", "\(last.status) \(last.body)")
        #expect(try await restarted.stop() == 0)
    }

    /// A video's job as `GET /api/v1/admin/jobs` shows it.
    struct Job: Sendable {
        var id: Int
        var state: String
        var attempts: Int
        var error: String?
    }

    func job(_ daemon: DaemonProcess, video: String) throws -> Job? {
        let list = try daemon.get("/api/v1/admin/jobs", headers: ["Authorization": "Bearer \(daemon.adminToken)"]).json as? [String: Any]
        guard let item = (list?["items"] as? [[String: Any]])?.first(where: { $0["video_id"] as? String == video }) else { return nil }
        return Job(
            id: item["id"] as? Int ?? 0, state: item["state"] as? String ?? "", attempts: item["attempts"] as? Int ?? 0,
            error: item["error"] as? String)
    }

    @Test func aKillDuringATranscodeDoesNotUseUpAnAttempt() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("transcode-crash")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = try VideoUploadTests.makeClip(dir + "/clip.mp4")
        let worker = try GatedMediaWorker(in: dir)
        defer { worker.killHeld() }
        let daemon = try worker.daemon(in: dir)
        try await daemon.start()
        worker.hold("transcode")
        let id = try daemon.uploadVideo(clip)
        try await worker.waitUntilHeld(1)
        #expect(try job(daemon, video: id)?.attempts == 1)
        daemon.killHard()
        worker.killHeld()

        let restarted = try worker.daemon(in: dir)
        try await restarted.start()
        let ready = await DaemonProcess.poll(timeout: .seconds(120)) { [self] in
            (try? job(restarted, video: id)).flatMap { $0.state == "done" ? $0 : nil }
        }
        let finished = try #require(ready, "the job did not finish after the restart:\n\(restarted.log)")
        #expect(finished.attempts == 1, "the crash was counted as an attempt: \(finished)")
        #expect(try await restarted.stop() == 0)
    }

    /// A failed job's reason is a sentence an administrator can act on, not a debug dump.
    @Test func failedJobsShowAReadableReason() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("job-reasons")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = try VideoUploadTests.makeClip(dir + "/clip.mp4")
        let worker = try GatedMediaWorker(in: dir)
        defer { worker.killHeld() }
        let daemon = try worker.daemon(in: dir, extraConfig: "[transcode]\nmax_attempts = 1\n")
        try await daemon.start()
        worker.crash("transcode")
        let id = try daemon.uploadVideo(clip)
        let failed = await DaemonProcess.poll(timeout: .seconds(60)) { [self] in
            (try? job(daemon, video: id)).flatMap { $0.state == "failed" ? $0 : nil }
        }
        let first = try #require(failed, "the job did not fail:\n\(daemon.log)")
        let reason = first.error ?? ""
        #expect(reason == "The media worker was killed by signal 9 while transcoding this file.", "\(reason)")
        #expect(try await daemon.stop() == 0)

        // A refusal of the daemon's own (a Problem) reads as a sentence too: no free space.
        try? FileManager.default.removeItem(atPath: worker.folder + "/kill-transcode")
        try (worker.config + "[transcode]\nmax_attempts = 1\n[uploads]\nmin_free_bytes = \(Int64.max / 4)\n")
            .write(toFile: dir + "/kinora.toml", atomically: true, encoding: .utf8)
        let full = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", dir + "/kinora.toml"], executable: worker.executable)
        try await full.start()
        let retried = try full.request("POST", "/api/v1/admin/jobs/\(first.id)/retry", headers: ["Authorization": "Bearer \(full.adminToken)"])
        #expect(retried.status == 200, "\(retried.status) \(retried.body)")
        let again = await DaemonProcess.poll(timeout: .seconds(60)) { [self] in
            (try? self.job(full, video: id)).flatMap { $0.state == "failed" ? $0 : nil }
        }
        let second = try #require(again, "the retried job did not fail:\n\(full.log)")
        let text = second.error ?? ""
        #expect(text.hasPrefix("Not enough disk space: ") && text.hasSuffix("."), "\(text)")
        for dump in ["Problem(", "status:", "TranscodeFailure(", "HTTPResponse"] { #expect(!text.contains(dump), "\(text)") }
        let shown = try #require(try full.get("/api/v1/videos/\(id)", headers: ["Authorization": "Bearer \(full.adminToken)"]).json as? [String: Any])
        #expect(shown["status"] as? String == "failed")
        #expect(try await full.stop() == 0)
    }
}
