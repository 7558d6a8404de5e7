import Foundation
import KinoraTestSupport
import Testing

/// Issue 16's player matrix, against the real daemon on loopback: an upload with English and
/// French sound, a 5.1 track and English + French captions is held to Apple's HLS authoring
/// MUSTs and DASH-IF's rules, then played to the end by players nobody here wrote (ffmpeg,
/// GStreamer playbin3, VLC, mpv); a flash-and-beep clip measures lip sync on the decoded output.
@Suite(.serialized) struct PlayerCompatibilityTests {
    /// 9 s of 320x180: stereo English (default), stereo French, 5.1 English titled
    /// "English (5.1)". Matroska, since MP4 drops a stream's title. The last second is noise:
    /// a short, heavy last segment, which a declared peak taken from single segments
    /// overstates (Apple's peak rule runs it together with the one before).
    static func makeMultilingualSource(_ path: String) throws -> [UInt8] {
        let result = try TestEnvironment.run(
            "/usr/bin/ffmpeg",
            [
                "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=9,noise=alls=100:allf=t:enable='gte(t,8)'",
                "-f", "lavfi", "-i", "sine=frequency=440:duration=9", "-f", "lavfi", "-i", "sine=frequency=660:duration=9",
                "-f", "lavfi", "-i", "sine=frequency=220:duration=9,aformat=channel_layouts=5.1",
                "-map", "0", "-map", "1", "-map", "2", "-map", "3",
                "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fra",
                "-metadata:s:a:2", "language=eng", "-metadata:s:a:2", "title=English (5.1)",
                "-disposition:a:0", "default", "-disposition:a:1", "0", "-disposition:a:2", "0", path,
            ])
        guard result.status == 0 else { throw TestFailure("ffmpeg could not make the multilingual source: \(result.output)") }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// `seconds` s of black with a white frame-accurate flash at every whole second from 1 s
    /// on (100 ms each), and a 1 kHz beep of amplitude 0.5 starting `beepLate` ms after each
    /// flash (0: at the same instant; BrowserLipSyncTests' calibration clip has it late).
    static func makeFlashAndBeep(_ path: String, seconds: Int = 5, beepLate: Int = 0) throws -> [UInt8] {
        let beep = "t-\(Double(beepLate) / 1000)"
        let result = try TestEnvironment.run(
            "/usr/bin/ffmpeg",
            [
                "-v", "error", "-y", "-f", "lavfi",
                "-i", "color=c=black:s=320x180:r=30:d=\(seconds),drawbox=c=white:t=fill:enable='gte(t,1)*lt(mod(t,1),0.1)'",
                "-f", "lavfi", "-i", "aevalsrc='if(gte(\(beep),1)*lt(mod(\(beep),1),0.1),0.5*sin(2*PI*1000*t),0)':s=48000:d=\(seconds)",
                "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", path,
            ])
        guard result.status == 0 else { throw TestFailure("ffmpeg could not make the flash-and-beep clip: \(result.output)") }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Uploads the multilingual source, waits until it is ready, adds English (default) and
    /// French captions and waits until both manifests name them. Returns the stream base URL.
    static func publishMultilingual(_ daemon: DaemonProcess, in dir: String) async throws -> (id: String, base: String) {
        let id = try daemon.uploadVideo(try makeMultilingualSource(dir + "/multi.mkv"), filename: "multi.mkv")
        _ = try await PlaybackTests.waitUntilReady(daemon, id: id)
        let en = try CaptionTests.putCaption(daemon, id, "en", CaptionTests.english, query: "?default=true")
        let fr = try CaptionTests.putCaption(daemon, id, "fr", CaptionTests.french)
        guard en.status == 201, fr.status == 201 else { throw TestFailure("captions refused: \(en.body) \(fr.body)") }
        let master = try await CaptionTests.eventually(daemon, "/streams/\(id)/master.m3u8") { $0.body.contains("LANGUAGE=\"fr\",DEFAULT") }
        let mpd = try await CaptionTests.eventually(daemon, "/streams/\(id)/manifest.mpd") { $0.body.contains("text-fr") || $0.body.contains("captions/fr") }
        guard master.body.contains("TYPE=SUBTITLES"), mpd.body.contains("contentType=\"text\"") else {
            throw TestFailure("the captions never reached the manifests:\n\(master.body)\n\(mpd.body)")
        }
        return (id, "http://127.0.0.1:\(daemon.port)/streams/\(id)")
    }

    /// The tag lines of a playlist that start with `prefix`.
    static func lines(_ body: String, _ prefix: String) -> [Substring] {
        body.split(separator: "\n").filter { $0.hasPrefix(prefix) }
    }

    @Test func theManifestsFollowApplesMustRulesAndDASHIF() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("player-rules")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()
        let (id, base) = try await Self.publishMultilingual(daemon, in: dir)

        // Apple's authoring MUSTs, one expectation per rule so each reads on its own.
        let hls = try TestEnvironment.hlsProblems(masterURL: "\(base)/master.m3u8", duration: 9, authoring: true)
        for (rule, what) in [
            ("[8.2]", "one target duration for video and audio, rounded EXTINF within it"), ("[8.10]", "LANGUAGE on audio renditions"),
            ("[5.3]", "X-TIMESTAMP-MAP in WebVTT"), ("[5.10]", "wvtt in CODECS"), ("[1.27]", "peak within 10% of BANDWIDTH"),
            ("[10.1]", "gzip when accepted"),
        ] {
            let broken = hls.filter { $0.hasPrefix(rule) }
            #expect(broken.isEmpty, "Apple HLS authoring \(rule) \(what):\n\(broken.joined(separator: "\n"))")
        }
        let general = hls.filter { !$0.hasPrefix("[") }
        #expect(general.isEmpty, "HLS rules check_hls.py held before issue 16:\n\(general.joined(separator: "\n"))")

        // DASH-IF's rules, likewise.
        let dash = try TestEnvironment.dashProblems(mpdURL: "\(base)/manifest.mpd")
        for rule in ["[live profile]", "[lang]", "[default text]", "[segmentAlignment]", "[par/sar]", "[audio channels]", "[gzip]"] {
            let broken = dash.filter { $0.hasPrefix(rule) }
            #expect(broken.isEmpty, "DASH-IF \(rule):\n\(broken.joined(separator: "\n"))")
        }
        let mpd = try daemon.get("/streams/\(id)/manifest.mpd")
        if let valid = try PlaybackTests.validateMPD(mpd.body, in: dir) { #expect(valid.status == 0, "MPEG-DASH schema: \(valid.output)") }

        // Every audio track survives, labelled (the issue 16 contract): English and French
        // stereo in the stereo group, listed first, and the 5.1 track in a group of its own.
        let master = try daemon.get("/streams/\(id)/master.m3u8").body
        let audio = Self.lines(master, "#EXT-X-MEDIA:TYPE=AUDIO")
        let expected = [
            ("GROUP-ID=\"aac-2ch\"", "LANGUAGE=\"en\"", "NAME=\"English\"", "DEFAULT=YES"),
            ("GROUP-ID=\"aac-2ch\"", "LANGUAGE=\"fr\"", "NAME=\"Français\"", "DEFAULT=NO"),
            ("GROUP-ID=\"aac-6ch\"", "LANGUAGE=\"en\"", "NAME=\"English (5.1)\"", "CHANNELS=\"6\""),
        ]
        for (group, language, name, flag) in expected {
            #expect(
                audio.contains { $0.contains(group) && $0.contains(language) && $0.contains(name) && $0.contains(flag) },
                "no EXT-X-MEDIA with \(group),\(language),\(name),\(flag) among:\n\(audio.joined(separator: "\n"))")
        }
        let variants = Self.lines(master, "#EXT-X-STREAM-INF:")
        #expect(variants.first?.contains("AUDIO=\"aac-2ch\"") == true, "the stereo group's variants come first:\n\(variants.joined(separator: "\n"))")
        #expect(variants.contains { $0.contains("AUDIO=\"aac-6ch\"") }, "no variant plays the 5.1 group:\n\(variants.joined(separator: "\n"))")
        let sets = mpd.body.split(separator: "\n").filter { $0.contains("<AdaptationSet") && $0.contains("audio") }
        for language in ["en", "fr"] {
            #expect(sets.contains { $0.contains("lang=\"\(language)\"") }, "no DASH audio set with lang=\"\(language)\":\n\(sets.joined(separator: "\n"))")
        }
        #expect(mpd.body.contains("audio_channel_configuration:2011\" value=\"6\""), "no 5.1 AudioChannelConfiguration in the MPD:\n\(mpd.body)")

        // The default caption is the same in both: English (DEFAULT=YES in HLS, Role main in DASH).
        let subtitles = Self.lines(master, "#EXT-X-MEDIA:TYPE=SUBTITLES")
        #expect(subtitles.contains { $0.contains("LANGUAGE=\"en\"") && $0.contains("DEFAULT=YES") }, "\(subtitles)")
        let englishText = mpd.body.components(separatedBy: "<AdaptationSet").first {
            $0.contains("contentType=\"text\"") && $0.contains("lang=\"en\"")
        }
        #expect(
            englishText?.contains("<Role schemeIdUri=\"urn:mpeg:dash:role:2011\" value=\"main\"/>") == true,
            "DASH does not mark the English captions as the default (Role main):\n\(englishText ?? mpd.body)")
        #expect(try await daemon.stop() == 0)
    }

    @Test func aFlashAndItsBeepStayWithin10Milliseconds() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("player-lipsync")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()
        let id = try daemon.uploadVideo(try Self.makeFlashAndBeep(dir + "/flash.mp4"))
        _ = try await PlaybackTests.waitUntilReady(daemon, id: id)
        let base = "http://127.0.0.1:\(daemon.port)/streams/\(id)"
        // The source itself measures 0 ms: the clip and the measurement are sound.
        for url in [dir + "/flash.mp4", "\(base)/master.m3u8", "\(base)/manifest.mpd"] {
            let result = try TestEnvironment.run("/usr/bin/python3", [TestEnvironment.pythonFixture("av_offset.py"), url])
            let object = result.output.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            let offsets = object?["offsets_ms"] as? [Double] ?? []
            #expect(result.status == 0 && offsets.count == 4, "\(url): 4 flashes and 4 beeps expected: \(result.output)")
            let worst = offsets.map(abs).max() ?? .infinity
            let name = url.hasPrefix("http") ? String(url.split(separator: "/").last!) : "source"
            print("ffmpeg lip sync, \(name): the beep comes \(offsets) ms after its flash")
            #expect(worst < 10, "\(name): the beep comes \(offsets) ms after its flash in ffmpeg's decode (must be within 10 ms)")
        }
        #expect(try await daemon.stop() == 0)
    }
}

extension PlayerCompatibilityTests {
    /// ffmpeg decoding every stream of `url` with `-v warning`: a player that complains is a
    /// finding. ffmpeg 5.1's HLS demuxer opens subtitle renditions only with `-strict
    /// experimental` (whatever their format), so it is given; captions are copied, not encoded.
    static func decode(_ url: String) throws -> PlayerRun {
        try PlayerRun.run(
            "/usr/bin/ffmpeg", ["-v", "warning", "-nostdin", "-strict", "experimental", "-i", url, "-map", "0", "-c:s", "copy", "-f", "null", "-"],
            timeout: .seconds(90))
    }

    @Test func everyPlayerPlaysTheMultilingualUploadToTheEnd() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("player-matrix")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()
        let (id, base) = try await Self.publishMultilingual(daemon, in: dir)
        let master = try daemon.get("/streams/\(id)/master.m3u8").body

        // ffprobe sees every audio track through the master: English, French and the 5.1 one.
        let probe = try PlayerRun.run(
            "/usr/bin/ffprobe",
            ["-v", "warning", "-strict", "experimental", "-show_entries", "stream=codec_type,channels:stream_tags=language", "-of", "compact=p=0", "\(base)/master.m3u8"],
            timeout: .seconds(60))
        #expect(probe.succeeded && probe.stderr.isEmpty, "ffprobe: \(probe)")
        let audio = probe.stdout.split(separator: "\n").filter { $0.contains("codec_type=audio") }
        #expect(
            audio.contains { $0.contains("channels=2") && $0.contains("language=en") } && audio.contains { $0.contains("language=fr") }
                && audio.contains { $0.contains("channels=6") },
            "ffprobe must list English, French and 5.1 audio:\n\(probe.stdout)")

        // ffmpeg decodes every variant and rendition, the master and the MPD without a warning.
        var playlists = ["master.m3u8", "manifest.mpd"]
        for line in master.split(separator: "\n") {
            if !line.hasPrefix("#"), !line.isEmpty { playlists.append(String(line)) }
            if line.hasPrefix("#EXT-X-MEDIA:TYPE=AUDIO"), let uri = line.firstMatch(of: /URI="([^"]+)"/)?.1 { playlists.append(String(uri)) }
        }
        for playlist in Set(playlists).sorted() {
            let run = try Self.decode("\(base)/\(playlist)")
            #expect(run.succeeded && run.stderr.isEmpty, "ffmpeg -v warning on \(playlist): \(run)")
        }

        // GStreamer's playbin3 plays both to the end (EOS) with fake sinks.
        for manifest in ["master.m3u8", "manifest.mpd"] {
            let run = try PlayerRun.run(
                "/usr/bin/gst-launch-1.0",
                [
                    "playbin3", "uri=\(base)/\(manifest)", "video-sink=fakesink", "audio-sink=fakesink", "text-sink=fakesink",
                ], timeout: .seconds(60))
            #expect(run.succeeded && run.output.contains("Got EOS from element"), "gst-launch-1.0 playbin3 \(manifest): \(run)")
        }

        // VLC plays both with the English captions selected, and neither crashes nor errs.
        for manifest in ["master.m3u8", "manifest.mpd"] {
            let (executable, arguments) = PlayerRun.unprivileged(
                "/usr/bin/cvlc",
                ["--play-and-exit", "--no-loop", "-A", "dummy", "-V", "dummy", "--rate=4", "--sub-language=en", "\(base)/\(manifest)"])
            let run = try PlayerRun.run(executable, arguments, timeout: .seconds(60))
            // Headless, VLC's optional control interfaces (D-Bus, hot keys) fail to start: not ours.
            let errors = run.output.split(separator: "\n").filter { $0.contains(" error:") && !$0.contains("interface") }
            #expect(run.succeeded && errors.isEmpty, "VLC \(manifest): \(run)")
        }

        // mpv plays the HLS master with the first subtitle track on, to the end (through
        // libavformat, which needs `strict=experimental` for HLS subtitles, as ffmpeg does).
        let mpv = try PlayerRun.run(
            "/usr/bin/mpv",
            [
                "--no-config", "--vo=null", "--ao=null", "--ao-null-untimed", "--untimed", "--term-status-msg=", "--sid=1",
                "--demuxer-lavf-o=strict=experimental",
                "\(base)/master.m3u8",
            ], timeout: .seconds(60))
        #expect(mpv.succeeded && mpv.output.contains("Exiting... (End of file)"), "mpv: \(mpv)")
        #expect(
            mpv.output.split(separator: "\n").contains { $0.contains("(+)") && $0.contains("--sid=1") }, "mpv did not select a subtitle track: \(mpv)")
        #expect(try await daemon.stop() == 0)
    }
}
