import Foundation
import KinoraTestSupport
import Testing

/// Issue 16's audio, against the real daemon on loopback: a 7.1 upload gets a 7.1 rendition
/// the manifests list with 8 channels, and a video's owner relabels its audio tracks.
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

    /// 3 s of 320x180: English stereo (default) and French 5.1, in Matroska.
    static func makeTwoLanguageSource(_ path: String) throws -> [UInt8] {
        let result = try TestEnvironment.run(
            "/usr/bin/ffmpeg",
            [
                "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=3",
                "-f", "lavfi", "-i", "sine=frequency=440:duration=3",
                "-f", "lavfi", "-i", "sine=frequency=660:duration=3,aformat=channel_layouts=5.1",
                "-map", "0", "-map", "1", "-map", "2", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fre",
                "-disposition:a:0", "default", "-disposition:a:1", "0", path,
            ])
        guard result.status == 0 else { throw TestFailure("ffmpeg could not make the two-language source: \(result.output)") }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func json(_ value: Any) throws -> [UInt8] { Array(try JSONSerialization.data(withJSONObject: value)) }

    /// The problem type's last path segment ("bad-language").
    static func problemType(_ result: HTTPResult) -> String? {
        ((result.json as? [String: Any])?["type"] as? String)?.split(separator: "/").last.map(String.init)
    }

    /// The EXT-X-MEDIA audio line whose URI is `rendition`'s playlist.
    static func media(_ master: String, _ rendition: String) -> Substring? {
        PlayerCompatibilityTests.lines(master, "#EXT-X-MEDIA:TYPE=AUDIO").first { $0.contains("URI=\"\(rendition)/media.m3u8\"") }
    }

    /// The DASH AdaptationSet (its text up to the next one) holding `rendition`.
    static func adaptationSet(_ mpd: String, _ rendition: String) -> String? {
        mpd.components(separatedBy: "<AdaptationSet").first { $0.contains("<Representation id=\"\(rendition)\"") }
    }

    @Test func theOwnerRelabelsAudioTracksAndBothManifestsSayItWhileOthersAndBadTagsAreRefused() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("audio-labels")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()
        var tokens: [String: String] = [:]
        for (name, role) in [("olga", "creator"), ("otto", "creator")] {
            let added = try AuthTests.addUser(daemon, name, role: role, password: "password of \(name)")
            #expect(added.status == 0, "\(added.output)")
            tokens[name] = try AuthTests.tokens(try AuthTests.login(daemon, name, "password of \(name)")).access
        }
        let owner = AuthTests.bearer(tokens["olga"] ?? ""), other = AuthTests.bearer(tokens["otto"] ?? "")
        let uploaded = try VideoUploadTests().upload(
            daemon, data: try Self.makeTwoLanguageSource(dir + "/two.mkv"), filename: "two.mkv", fields: ["visibility": "public"],
            token: tokens["olga"])
        let id = try #require((uploaded.json as? [String: Any])?["id"] as? String, "\(uploaded.status) \(uploaded.body)")
        _ = try await PlaybackTests.waitUntilReady(daemon, id: id)
        let path = "/api/v1/videos/\(id)/audio-tracks"
        func put(_ body: Any, as headers: [String: String]) throws -> HTTPResult {
            try daemon.request("PUT", path, headers: headers.merging(["Content-Type": "application/json"]) { $1 }, body: try Self.json(body))
        }

        // The tracks as the source tagged them, listed for anyone who may see the video.
        let listed = try daemon.get(path)
        #expect(listed.status == 200, "\(listed.body)")
        let items = try #require((listed.json as? [String: Any])?["items"] as? [[String: Any]])
        #expect(items.map { $0["id"] as? String } == ["audio-en", "audio-fr"], "\(listed.body)")
        #expect(items.map { $0["name"] as? String } == ["English", "Français"])
        #expect((items.last?["renditions"] as? [String]) == ["audio-fr", "audio-fr-6ch"] && (items.last?["channels"] as? [Int]) == [2, 6])
        #expect(items.allSatisfy { $0["label"] is NSNull })

        // The owner: English becomes German; the French track, named by its 5.1 rendition, a new name only.
        let relabelled = try put(
            [["id": "audio-en", "language": "de", "name": "Deutsch"], ["id": "audio-fr-6ch", "name": "Français (doublage)"]], as: owner)
        #expect(relabelled.status == 200, "\(relabelled.body)")
        let after = try #require((relabelled.json as? [String: Any])?["items"] as? [[String: Any]])
        #expect(
            after.map { $0["language"] as? String } == ["de", "fr"] && after.map { $0["name"] as? String } == ["Deutsch", "Français (doublage)"])
        #expect((after.first?["source"] as? [String: Any])?["language"] as? String == "en")

        // Both manifests say it at once, for every rendition of each track (served within the
        // stream cache's second).
        let master = try await CaptionTests.eventually(daemon, "/streams/\(id)/master.m3u8") { $0.body.contains("Deutsch") }.body
        let en = try #require(Self.media(master, "audio-en"), "\(master)")
        #expect(en.contains("LANGUAGE=\"de\"") && en.contains("NAME=\"Deutsch\"") && en.contains("DEFAULT=YES"), "\(en)")
        let fr = try #require(Self.media(master, "audio-fr"))
        #expect(fr.contains("LANGUAGE=\"fr\"") && fr.contains("NAME=\"Français (doublage)\""), "\(fr)")
        let fr6 = try #require(Self.media(master, "audio-fr-6ch"))
        #expect(fr6.contains("LANGUAGE=\"fr\"") && fr6.contains("NAME=\"Français (doublage) (5.1)\"") && fr6.contains("CHANNELS=\"6\""), "\(fr6)")
        #expect(!master.contains("NAME=\"English\"") && !master.contains("LANGUAGE=\"en\""), "\(master)")
        let mpd = try await CaptionTests.eventually(daemon, "/streams/\(id)/manifest.mpd") { $0.body.contains("Deutsch") }.body
        let german = try #require(Self.adaptationSet(mpd, "audio-en"), "\(mpd)")
        #expect(german.contains("lang=\"de\"") && german.contains("<Label>Deutsch</Label>"), "\(german)")
        let french6 = try #require(Self.adaptationSet(mpd, "audio-fr-6ch"))
        #expect(french6.contains("lang=\"fr\"") && french6.contains("<Label>Français (doublage) (5.1)</Label>"), "\(french6)")
        let dash = try TestEnvironment.dashProblems(mpdURL: "http://127.0.0.1:\(daemon.port)/streams/\(id)/manifest.mpd")
        #expect(dash.isEmpty, "\(dash.joined(separator: "\n"))")

        // Another creator sees the public video but may not change it; no one unsigned may.
        #expect(try put([["id": "audio-en", "name": "Mine"]], as: other).status == 403)
        #expect(try put([["id": "audio-en", "name": "Mine"]], as: [:]).status == 401)
        // Bad input: a stable problem type naming the member, and nothing changed (the stored
        // playlist, not the one the stream cache may still hold).
        let stored = daemon.dataDir + "/media/videos/\(id)/master.m3u8"
        let before = try String(contentsOfFile: stored, encoding: .utf8)
        #expect(before == master)
        let badTag = try put([["id": "audio-en", "language": "deutsch!"]], as: owner)
        #expect(badTag.status == 400 && Self.problemType(badTag) == "bad-language", "\(badTag.body)")
        #expect((badTag.json as? [String: Any])?["field"] as? String == "[0].language", "\(badTag.body)")
        #expect(badTag.headers["content-type"]?.hasPrefix("application/problem+json") == true, "\(badTag.headers)")
        let longName = try put([["id": "audio-en", "name": String(repeating: "n", count: 101)]], as: owner)
        #expect(longName.status == 400 && Self.problemType(longName) == "bad-label", "\(longName.body)")
        let quoted = try put([["id": "audio-en", "name": "say \"hi\""]], as: owner)
        #expect(quoted.status == 400 && Self.problemType(quoted) == "bad-label", "\(quoted.body)")
        let unknown = try put([["id": "audio-xx", "name": "X"]], as: owner)
        #expect(unknown.status == 422 && Self.problemType(unknown) == "invalid-field", "\(unknown.body)")
        #expect(
            (unknown.json as? [String: Any])?["detail"] as? String
                == "[0].id: this video has no audio track \"audio-xx\"; its tracks are audio-en, audio-fr")
        let twice = try put([["id": "audio-fr", "name": "A"], ["id": "audio-fr-6ch", "name": "B"]], as: owner)
        #expect(twice.status == 422 && Self.problemType(twice) == "invalid-field", "\(twice.body)")
        let extraKey = try put([["id": "audio-en", "lang": "de"]], as: owner)
        #expect(extraKey.status == 422 && Self.problemType(extraKey) == "unknown-field", "\(extraKey.body)")
        let object = try put(["id": "audio-en"], as: owner)
        #expect(object.status == 400 && Self.problemType(object) == "bad-request", "\(object.body)")
        #expect(try String(contentsOfFile: stored, encoding: .utf8) == before, "a refused change rewrote the playlist")

        // An empty list gives every track back its source's label.
        let reset = try put([Any](), as: owner)
        #expect(reset.status == 200, "\(reset.body)")
        let restored = try await CaptionTests.eventually(daemon, "/streams/\(id)/master.m3u8") { !$0.body.contains("Deutsch") }.body
        #expect(Self.media(restored, "audio-en")?.contains("LANGUAGE=\"en\",NAME=\"English\"") == true, "\(restored)")
        #expect(Self.media(restored, "audio-fr-6ch")?.contains("NAME=\"Français (5.1)\"") == true, "\(restored)")
        let restoredMPD = try await CaptionTests.eventually(daemon, "/streams/\(id)/manifest.mpd") { !$0.body.contains("Deutsch") }.body
        #expect(Self.adaptationSet(restoredMPD, "audio-en")?.contains("lang=\"en\"") == true, "\(restoredMPD)")
        #expect(try await daemon.stop() == 0)
    }
}
