import Foundation
import KinoraTestSupport
import Testing

/// A plugins.d without a packager instance (what the guide's example once produced) used to
/// make videos that reached `ready` and `playable: true` yet answered 404 to every player, with
/// nothing logged and /readyz at 200. Now every place an operator looks says so.
@Suite(.serialized) struct PackagerRequiredTests {
    /// kinora.toml and a plugins.d holding only the media storage instance.
    func setupWithoutPackager(_ dir: String) throws -> String {
        try FileManager.default.createDirectory(atPath: dir + "/etc/plugins.d", withIntermediateDirectories: true)
        try "[data]\ndir = \"\(dir)/data\"\n[transcode]\nmax_attempts = 1\n".write(
            toFile: dir + "/etc/kinora.toml", atomically: true, encoding: .utf8)
        try "plugin = \"org.kinora.storage-local\"\n[settings]\nroot = \"\(dir)/media\"\n".write(
            toFile: dir + "/etc/plugins.d/media.toml", atomically: true, encoding: .utf8)
        return dir + "/etc/kinora.toml"
    }

    @Test func configCheckRefusesASetupWithoutPackagerAndSaysHowToFixIt() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("no-packager-check")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try setupWithoutPackager(dir)
        let check = try TestEnvironment.run(TestEnvironment.kinoraExecutable, ["config", "check", "--config", config])
        #expect(check.status != 0)
        #expect(
            check.output.contains(dir + "/etc/plugins.d: no packager instance is configured: uploaded videos cannot be played"), "\(check.output)")
        #expect(check.output.contains("plugin = \"org.kinora.packager-hls\""), "\(check.output)")

        try "plugin = \"org.kinora.packager-hls\"\n".write(toFile: dir + "/etc/plugins.d/hls.toml", atomically: true, encoding: .utf8)
        let fixed = try TestEnvironment.run(TestEnvironment.kinoraExecutable, ["config", "check", "--config", config])
        #expect(fixed.status == 0, "\(fixed.output)")
    }

    @Test func theDaemonLogsItIsNotReadyAndAnUploadFailsInsteadOfBecomingUnplayable() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("no-packager-serve")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try setupWithoutPackager(dir)
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", config])
        try await daemon.start()
        #expect(daemon.log.contains("no packager instance is configured"), "\(daemon.log)")

        // Anyone reads the reason in plain words; no path or plugin id.
        let ready = try daemon.get("/readyz")
        #expect(ready.status == 503)
        let anonymous = (ready.json as? [String: Any])?["detail"] as? String ?? ""
        #expect(anonymous.contains("no packager instance is configured: uploaded videos cannot be played"), "\(anonymous)")
        #expect(!ready.body.contains(dir) && !ready.body.contains("org.kinora"), "\(ready.body)")

        // An upload is refused at transcode time with a reason an administrator can act on.
        let clip = try VideoUploadTests.makeClip(dir + "/clip.mp4", seconds: 1)
        var form = MultipartBody()
        form.file("file", filename: "clip.mp4", data: clip)
        let created = try daemon.request(
            "POST", "/api/v1/videos", headers: ["Content-Type": form.contentType, "Authorization": "Bearer \(daemon.adminToken)"],
            body: form.finished())
        #expect(created.status == 201, "\(created.body)")
        let id = try #require((created.json as? [String: Any])?["id"] as? String)
        let token = daemon.adminToken
        let failed = await DaemonProcess.poll(timeout: .seconds(30)) { () -> HTTPResult? in
            let result = try? daemon.get("/api/v1/videos/\(id)", headers: ["Authorization": "Bearer \(token)"])
            return (result?.json as? [String: Any])?["status"] as? String == "failed" ? result : nil
        }
        let video = try #require(failed?.json as? [String: Any], "the video never failed:\n\(daemon.log)")
        #expect(video["playable"] as? Bool == false)
        #expect((video["error"] as? String)?.contains("No packager instance is started") == true, "\(video)")
        #expect(try daemon.get("/streams/\(id)/master.m3u8").status == 404)
        #expect(try await daemon.stop() == 0)
    }
}
