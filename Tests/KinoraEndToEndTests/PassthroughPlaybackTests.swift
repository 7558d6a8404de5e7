import Foundation
import KinoraTestSupport
import Testing

/// The passthrough rung through the real daemon and the real worker.
@Suite(.serialized) struct PassthroughPlaybackTests {
    /// Key frames every 2 s (so on the 4 s grid) at 500 kb/s: the 360p rung qualifies.
    static let aligned = ["-b:v", "500k", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0"]

    static func videoPackets(_ url: String) throws -> [String] {
        let probe = try TestEnvironment.run(
            "/usr/bin/ffprobe",
            [
                "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=size,flags,data_hash",
                "-show_data_hash", "MD5", "-of", "csv=p=0", url,
            ])
        guard probe.status == 0 else { throw TestFailure("ffprobe \(url): \(probe.output)") }
        return probe.output.split(separator: "\n").map(String.init)
    }

    @Test func anAlignedUploadIsReadyWithItsTopRungCopiedAndPlayable() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("passthrough")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = try PlaybackTests.makeClip(dir + "/clip.mp4", size: "640x360", seconds: 8, videoOptions: Self.aligned)
        let daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()
        let id = try daemon.uploadVideo(clip)
        let video = try await PlaybackTests.waitUntilReady(daemon, id: id)
        let renditions = try #require(video["renditions"] as? [[String: Any]])
        let copied = renditions.filter { $0["passthrough"] as? Bool == true }.compactMap { $0["id"] as? String }
        #expect(copied == ["360p"], "\(renditions)")
        #expect(daemon.log.contains("360p copied from the source"), "\(daemon.log)")

        // Players read it through the master playlist; the 360p media is the upload's own packets.
        let base = "http://127.0.0.1:\(daemon.port)/streams/\(id)"
        let probe = try TestEnvironment.run(
            "/usr/bin/ffprobe",
            [
                "-v", "error", "-show_entries", "stream=codec_type,width,height", "-of", "csv=p=0",
                "\(base)/master.m3u8",
            ])
        #expect(probe.status == 0 && probe.output.contains("640,360") && probe.output.contains("audio"), "\(probe.output)")
        let decode = try TestEnvironment.run("/usr/bin/ffmpeg", ["-v", "error", "-i", "\(base)/master.m3u8", "-map", "0", "-f", "null", "-"])
        #expect(decode.status == 0 && decode.output.isEmpty, "\(decode.output)")
        #expect(try Self.videoPackets("\(base)/360p/media.m3u8") == Self.videoPackets(dir + "/clip.mp4"))
        #expect(try await daemon.stop() == 0)
    }

    @Test func theWorkerRemuxesOnlyWhatQualifiesAndSaysWhyNot() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("remux-only")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let worker = TestEnvironment.buildDirectory + "/kinora-media"
        _ = try PlaybackTests.makeClip(dir + "/aligned.mp4", size: "640x360", seconds: 5, videoOptions: Self.aligned)
        let good = try TestEnvironment.run(worker, ["transcode", dir + "/aligned.mp4", dir + "/out", "--remux-only"])
        let last = try #require(good.output.split(separator: "\n").last)
        let result = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        let ids = (result["renditions"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
        #expect(good.status == 0 && result["ok"] as? Bool == true && ids == ["360p", "audio"], "\(good.output)")

        _ = try PlaybackTests.makeClip(
            dir + "/drifting.mp4", size: "640x360", seconds: 5,
            videoOptions: ["-b:v", "500k", "-g", "75", "-keyint_min", "75", "-sc_threshold", "0"])
        let bad = try TestEnvironment.run(worker, ["transcode", dir + "/drifting.mp4", dir + "/refused", "--remux-only"])
        #expect(
            bad.output.contains(#""code":"not-remuxable""#) && bad.output.contains("key frames every 2.5 s do not fall on the 4 s segment grid"),
            "\(bad.output)")
        let conflicting = try TestEnvironment.run(worker, ["transcode", dir + "/aligned.mp4", dir + "/x", "--remux-only", "--no-passthrough"])
        #expect(conflicting.status == 2 && conflicting.output.contains("--remux-only"))
    }
}
