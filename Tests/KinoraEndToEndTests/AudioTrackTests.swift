import Foundation
import KinoraTestSupport
import Testing

/// Issue 16's audio, against the real daemon on loopback: a 7.1 upload gets a 7.1 rendition
/// the manifests list with 8 channels.
@Suite(.serialized) struct AudioTrackTests {
    /// 3 s of 320x180 with English 7.1 sound (a 440 Hz tone in every channel).
    static func makeSevenOneSource(_ path: String) throws -> [UInt8] {
        let result = try TestEnvironment.run(
            "/usr/bin/ffmpeg",
            [
                "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=3",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=3,aformat=channel_layouts=7.1",
                "-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "512k", "-metadata:s:a:0", "language=eng", path,
            ])
        guard result.status == 0 else { throw TestFailure("ffmpeg could not make the 7.1 source: \(result.output)") }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func aSevenOneUploadIsPublishedWithAnEightChannelRenditionBesideStereoAnd5Point1() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("audio-71")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()
        let id = try daemon.uploadVideo(try Self.makeSevenOneSource(dir + "/cinema.mkv"), filename: "cinema.mkv")
        _ = try await PlaybackTests.waitUntilReady(daemon, id: id)
        let base = "http://127.0.0.1:\(daemon.port)/streams/\(id)"

        // HLS: one EXT-X-MEDIA group per layout, the 7.1 one saying 8 channels; variants play it.
        let master = try daemon.get("/streams/\(id)/master.m3u8").body
        let audio = PlayerCompatibilityTests.lines(master, "#EXT-X-MEDIA:TYPE=AUDIO")
        for (group, channels, name) in [("aac-2ch", "2", "English"), ("aac-6ch", "6", "English (5.1)"), ("aac-8ch", "8", "English (7.1)")] {
            #expect(
                audio.contains { $0.contains("GROUP-ID=\"\(group)\"") && $0.contains("CHANNELS=\"\(channels)\"") && $0.contains("NAME=\"\(name)\"") },
                "no \(group) rendition with \(channels) channels named \(name):\n\(audio.joined(separator: "\n"))")
        }
        let surround = try #require(audio.first { $0.contains("GROUP-ID=\"aac-8ch\"") })
        #expect(surround.contains("LANGUAGE=\"en\"") && surround.contains("DEFAULT=YES") && surround.contains("URI=\"audio-en-8ch/media.m3u8\""))
        let variants = PlayerCompatibilityTests.lines(master, "#EXT-X-STREAM-INF:")
        let eightVariants = variants.filter { $0.contains("AUDIO=\"aac-8ch\"") }
        #expect(!eightVariants.isEmpty, "no variant plays the 7.1 group:\n\(variants.joined(separator: "\n"))")
        #expect(eightVariants.allSatisfy { $0.contains(",mp4a.40.2\"") }, "\(eightVariants)")
        // Stereo first: a player that knows nothing of surround starts with two channels.
        #expect(variants.first?.contains("AUDIO=\"aac-2ch\"") == true)

        // DASH: a set of its own, AudioChannelConfiguration 8, AAC-LC.
        let mpd = try daemon.get("/streams/\(id)/manifest.mpd").body
        let eightSet = try #require(
            mpd.components(separatedBy: "<AdaptationSet").first { $0.contains("id=\"audio-en-8ch\"") }, "no set with audio-en-8ch:\n\(mpd)")
        #expect(eightSet.contains("audio_channel_configuration:2011\" value=\"8\""), "\(eightSet)")
        #expect(eightSet.contains("codecs=\"mp4a.40.2\"") && eightSet.contains("lang=\"en\""), "\(eightSet)")
        #expect(!eightSet.contains("id=\"audio-en-6ch\""), "the 5.1 and 7.1 renditions share a set:\n\(eightSet)")

        // The manifests still hold to Apple's and DASH-IF's rules with three audio groups.
        let hls = try TestEnvironment.hlsProblems(masterURL: "\(base)/master.m3u8", duration: 3, authoring: true)
        #expect(hls.isEmpty, "\(hls.joined(separator: "\n"))")
        let dash = try TestEnvironment.dashProblems(mpdURL: "\(base)/manifest.mpd")
        #expect(dash.isEmpty, "\(dash.joined(separator: "\n"))")
        if let valid = try PlaybackTests.validateMPD(mpd, in: dir) { #expect(valid.status == 0, "MPEG-DASH schema: \(valid.output)") }

        // What the playlist names decodes to 8 channels of 7.1.
        let playlist = try daemon.get("/streams/\(id)/audio-en-8ch/media.m3u8").body
        var bytes = try daemon.get("/streams/\(id)/audio-en-8ch/init.mp4").bytes
        let segments = playlist.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
        #expect(!segments.isEmpty, "\(playlist)")
        for segment in segments { bytes += try daemon.get("/streams/\(id)/audio-en-8ch/\(segment)").bytes }
        let joined = dir + "/eight.mp4"
        try Data(bytes).write(to: URL(fileURLWithPath: joined))
        let probe = try TestEnvironment.run(
            "/usr/bin/ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,profile,channels,channel_layout", "-of", "compact", joined])
        #expect(probe.output.contains("codec_name=aac|profile=LC|channels=8|channel_layout=7.1"), "\(probe.output)")
        let decoded = try TestEnvironment.run("/usr/bin/ffmpeg", ["-nostdin", "-v", "error", "-i", joined, "-f", "null", "-"])
        #expect(decoded.status == 0 && decoded.output.isEmpty, "\(decoded.output)")
        #expect(try await daemon.stop() == 0)
    }
}
