import Foundation
import KinoraTestSupport
import Testing

/// WebVTT captions through the real daemon: uploaded per language, named by the HLS master
/// and the DASH MPD at once, served under /streams, removed again; and every refusal.
@Suite(.serialized) struct CaptionTests {
    static let english = "WEBVTT\n\n1\n00:00.000 --> 00:01.500\nHello\n\n00:00:01.500 --> 00:00:03.000 align:start\nWorld\n"
    static let french = "WEBVTT - sous-titres\n\n00:00.000 --> 00:03.000\nBonjour à tous\n"

    static func putCaption(
        _ daemon: DaemonProcess, _ id: String, _ language: String, _ body: String, query: String = "",
        contentType: String? = "text/vtt", token: String? = ""
    ) throws -> HTTPResult {
        var headers: [String: String] = [:]
        if let contentType { headers["Content-Type"] = contentType }
        if let token { headers["Authorization"] = "Bearer \(token.isEmpty ? daemon.adminToken : token)" }
        return try daemon.request("PUT", "/api/v1/videos/\(id)/captions/\(language)\(query)", headers: headers, body: Array(body.utf8))
    }

    static func deleteCaption(_ daemon: DaemonProcess, _ id: String, _ language: String) throws -> HTTPResult {
        try daemon.request("DELETE", "/api/v1/videos/\(id)/captions/\(language)", headers: ["Authorization": "Bearer \(daemon.adminToken)"])
    }

    /// Streamed manifests are cached for a second: polls until `condition` holds.
    static func eventually(_ daemon: DaemonProcess, _ path: String, _ condition: (HTTPResult) -> Bool) async throws -> HTTPResult {
        let deadline = ContinuousClock.now + .seconds(10)
        var result = try daemon.get(path)
        while !condition(result) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            result = try daemon.get(path)
        }
        return result
    }

    /// Runs `body` on `count` threads at once (the test client blocks) and collects the results.
    static func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> Int) -> [Int] {
        let results = ConcurrentResults()
        let group = DispatchGroup()
        for i in 0..<count {
            group.enter()
            Thread {
                let value = body(i)
                results.lock.withLock { results.values[i] = value }
                group.leave()
            }.start()
        }
        group.wait()
        return results.lock.withLock { (0..<count).map { results.values[$0] ?? 0 } }
    }

    static func languages(_ result: HTTPResult) -> [String] {
        ((result.json as? [String: Any])?["items"] as? [[String: Any]])?.compactMap { $0["language"] as? String } ?? []
    }

    /// Expects a problem+json answer with this status and type; returns its detail.
    @discardableResult
    static func expectProblem(_ result: HTTPResult, _ status: Int, _ type: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let problem = result.json as? [String: Any]
        #expect(result.status == status, "\(result.status) \(result.body)", sourceLocation: sourceLocation)
        #expect(result.headers["content-type"] == "application/problem+json", sourceLocation: sourceLocation)
        #expect(problem?["type"] as? String == "https://kinora.invalid/problems/\(type)", "\(result.body)", sourceLocation: sourceLocation)
        return problem?["detail"] as? String ?? ""
    }

    @Test func captionsReachBothManifestsAndLeaveThemWhenDeleted() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("captions")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = try PlaybackTests.makeClip(dir + "/clip.mp4", size: "640x360", seconds: 3)
        let daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()
        let id = try daemon.uploadVideo(clip)
        _ = try await PlaybackTests.waitUntilReady(daemon, id: id)

        let created = try Self.putCaption(daemon, id, "en", "WEBVTT\n", query: "?default=true")
        #expect(created.status == 201, "\(created.body)")
        #expect(created.headers["location"] == "/api/v1/videos/\(id)/captions/en")
        let track = try #require(created.json as? [String: Any])
        #expect(track["language"] as? String == "en" && track["label"] as? String == "English" && track["default"] as? Bool == true)
        #expect(track["url"] as? String == "/streams/\(id)/captions/en.vtt")
        // The same language again replaces the track; the tag's case does not make a new one.
        let replaced = try Self.putCaption(daemon, id, "EN", Self.english, query: "?default=true")
        #expect(replaced.status == 200, "\(replaced.body)")
        let fr = try Self.putCaption(daemon, id, "fr", Self.french, query: "?label=Fran%C3%A7ais%20(France)&default=false")
        #expect(fr.status == 201 && (fr.json as? [String: Any])?["label"] as? String == "Français (France)", "\(fr.body)")

        let list = try daemon.get("/api/v1/videos/\(id)/captions")
        #expect(list.status == 200 && Self.languages(list) == ["en", "fr"], "\(list.body)")
        let video = try #require(try daemon.get("/api/v1/videos/\(id)").json as? [String: Any])
        let captions = try #require(video["captions"] as? [[String: Any]])
        #expect(captions.compactMap { $0["url"] as? String } == ["/streams/\(id)/captions/en.vtt", "/streams/\(id)/captions/fr.vtt"])

        // HLS: one SUBTITLES group with both languages, which every variant names.
        let master = try await Self.eventually(daemon, "/streams/\(id)/master.m3u8") { $0.body.contains("LANGUAGE=\"fr\"") }
        let lines = master.body.split(separator: "\n")
        let subtitles = lines.filter { $0.hasPrefix("#EXT-X-MEDIA:") && $0.contains("TYPE=SUBTITLES") }
        #expect(subtitles.count == 2, "\(master.body)")
        #expect(subtitles.allSatisfy { $0.contains("GROUP-ID=\"subs\"") })
        #expect(subtitles.contains { $0.contains("LANGUAGE=\"en\"") && $0.contains("NAME=\"English\"") && $0.contains("DEFAULT=YES") })
        #expect(subtitles.contains { $0.contains("LANGUAGE=\"fr\"") && $0.contains("NAME=\"Français (France)\"") && $0.contains("DEFAULT=NO") })
        let variants = lines.filter { $0.hasPrefix("#EXT-X-STREAM-INF:") }
        #expect(!variants.isEmpty && variants.allSatisfy { $0.contains("SUBTITLES=\"subs\"") }, "\(master.body)")

        // The subtitle playlist: the cues cut on the video's segment boundaries, with the
        // video's target duration (one target per presentation), each WebVTT segment with
        // the X-TIMESTAMP-MAP RFC 8216 §3.5 requires.
        let playlist = try daemon.get("/streams/\(id)/text-en/media.m3u8")
        #expect(playlist.status == 200, "\(playlist.body)")
        func target(_ text: String) -> Int? {
            text.split(separator: "\n").first { $0.hasPrefix("#EXT-X-TARGETDURATION:") }.flatMap { Int($0.dropFirst(22)) }
        }
        let durations = playlist.body.split(separator: "\n").filter { $0.hasPrefix("#EXTINF:") }.compactMap { Double($0.dropFirst(8).dropLast()) }
        #expect(!durations.isEmpty && abs(durations.reduce(0, +) - 3) < 0.2, "\(playlist.body)")
        let videoPlaylist = try daemon.get("/streams/\(id)/360p/media.m3u8")
        #expect(target(playlist.body) != nil && target(playlist.body) == target(videoPlaylist.body), "\(playlist.body)\n\(videoPlaylist.body)")
        #expect(playlist.body.contains("\nseg-00001.vtt\n") && playlist.body.hasSuffix("#EXT-X-ENDLIST\n"), "\(playlist.body)")
        let cueSegment = try daemon.get("/streams/\(id)/text-en/seg-00001.vtt")
        #expect(cueSegment.status == 200 && cueSegment.headers["content-type"]?.hasPrefix("text/vtt") == true)
        #expect(cueSegment.body.hasPrefix("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n"), "\(cueSegment.body)")
        #expect(cueSegment.headers["cache-control"]?.contains("immutable") == false, "cut again under the same name when replaced")

        // The file itself, as uploaded.
        let vtt = try daemon.get("/streams/\(id)/captions/en.vtt")
        #expect(vtt.status == 200 && vtt.headers["content-type"]?.hasPrefix("text/vtt") == true && vtt.body == Self.english)

        // Players' parsers: ffprobe opens the master (ffmpeg 5.1's HLS demuxer does not expose
        // subtitle renditions of a master, so the subtitle playlist is probed on its own).
        let base = "http://127.0.0.1:\(daemon.port)/streams/\(id)"
        // The PyPI m3u8 parser reads the master with its subtitle group, held to the HLS rules.
        let problems = try TestEnvironment.hlsProblems(masterURL: "\(base)/master.m3u8", duration: 3)
        #expect(problems.isEmpty, "\(problems)")
        let probe = try TestEnvironment.run(
            "/usr/bin/ffprobe", ["-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", "\(base)/master.m3u8"])
        #expect(probe.status == 0 && probe.output.contains("video"), "\(probe.output)")
        let text = try TestEnvironment.run(
            "/usr/bin/ffprobe", ["-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", "\(base)/text-fr/media.m3u8"])
        #expect(text.status == 0 && text.output.contains("webvtt"), "\(text.output)")

        // DASH: a text adaptation set per language, and the MPD stays schema-valid.
        let mpd = try await Self.eventually(daemon, "/streams/\(id)/manifest.mpd") { $0.body.contains("lang=\"fr\"") }
        #expect(mpd.body.components(separatedBy: "contentType=\"text\"").count == 3, "\(mpd.body)")
        // As fMP4 wvtt segments (what the live profile allows and VLC 3.0 survives), the
        // default track with Role main.
        #expect(!mpd.body.contains("<BaseURL>"), "\(mpd.body)")
        #expect(mpd.body.components(separatedBy: "mimeType=\"application/mp4\" codecs=\"wvtt\"").count == 3, "\(mpd.body)")
        #expect(mpd.body.contains("initialization=\"text-en/init.mp4\" media=\"text-en/seg-$Number%05d$.m4s\""), "\(mpd.body)")
        #expect(mpd.body.components(separatedBy: "value=\"main\"").count >= 3, "video's and English captions' Role main: \(mpd.body)")
        let wvttInit = try daemon.get("/streams/\(id)/text-en/init.mp4")
        #expect(wvttInit.status == 200 && wvttInit.headers["content-type"] == "application/mp4")
        #expect(try daemon.get("/streams/\(id)/text-en/seg-00001.m4s").headers["content-type"] == "application/mp4")
        if let valid = try PlaybackTests.validateMPD(mpd.body, in: dir) { #expect(valid.status == 0, "\(valid.output)") }

        // Tracks saved at once: each republish waits for the one before, so the last one
        // written names them all.
        let many = ["de", "es", "it", "ja", "ko", "nl", "pl", "sv"]
        let statuses = Self.concurrently(many.count) { i in (try? Self.putCaption(daemon, id, many[i], Self.english))?.status ?? 0 }
        #expect(statuses.allSatisfy { $0 == 201 }, "\(statuses)")
        let crowded = try await Self.eventually(daemon, "/streams/\(id)/master.m3u8") { result in
            many.allSatisfy { result.body.contains("LANGUAGE=\"\($0)\"") }
        }
        #expect(many.allSatisfy { crowded.body.contains("LANGUAGE=\"\($0)\"") }, "\(crowded.body)")
        for language in many { #expect(try Self.deleteCaption(daemon, id, language).status == 204) }

        // Deleting one language: gone from the list, both manifests and storage.
        #expect(try Self.deleteCaption(daemon, id, "fr").status == 204)
        Self.expectProblem(try Self.deleteCaption(daemon, id, "fr"), 404, "not-found")
        #expect(Self.languages(try daemon.get("/api/v1/videos/\(id)/captions")) == ["en"])
        let masterAfter = try await Self.eventually(daemon, "/streams/\(id)/master.m3u8") { !$0.body.contains("LANGUAGE=\"fr\"") }
        #expect(!masterAfter.body.contains("LANGUAGE=\"fr\"") && masterAfter.body.contains("LANGUAGE=\"en\""), "\(masterAfter.body)")
        let mpdAfter = try await Self.eventually(daemon, "/streams/\(id)/manifest.mpd") { !$0.body.contains("lang=\"fr\"") }
        #expect(!mpdAfter.body.contains("lang=\"fr\"") && mpdAfter.body.contains("lang=\"en\""), "\(mpdAfter.body)")
        if let valid = try PlaybackTests.validateMPD(mpdAfter.body, in: dir) { #expect(valid.status == 0, "\(valid.output)") }
        let folder = dir + "/data/media/videos/\(id)"
        #expect(!FileManager.default.fileExists(atPath: folder + "/captions/fr.vtt") && !FileManager.default.fileExists(atPath: folder + "/text-fr"))
        #expect(FileManager.default.fileExists(atPath: folder + "/captions/en.vtt"))

        // Deleting the video takes its captions with it.
        #expect(try daemon.request("DELETE", "/api/v1/videos/\(id)", headers: ["Authorization": "Bearer \(daemon.adminToken)"]).status == 204)
        Self.expectProblem(try daemon.get("/api/v1/videos/\(id)/captions"), 404, "not-found")
        #expect(!FileManager.default.fileExists(atPath: folder))
        #expect(try await daemon.stop() == 0)
    }

    @Test func refusalsAreProblemsAndCaptionsOfAProcessingVideoArePublished() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("captions")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = try PlaybackTests.makeClip(dir + "/clip.mp4", size: "320x240", seconds: 2)
        let daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()
        let id = try daemon.uploadVideo(clip)
        // Right after the upload the video is still being transcoded: the pipeline's publish
        // (or the route's republish, if the first pass won the race) must name the track.
        #expect(try Self.putCaption(daemon, id, "de", "WEBVTT\n\n00:00.000 --> 00:01.000\nHallo\n").status == 201)

        // Who may call.
        Self.expectProblem(try Self.putCaption(daemon, id, "en", Self.english, token: nil), 401, "unauthorized")
        Self.expectProblem(try Self.putCaption(daemon, id, "en", Self.english, token: "not-the-token"), 401, "unauthorized")
        let anonymousDelete = try daemon.request("DELETE", "/api/v1/videos/\(id)/captions/de")
        Self.expectProblem(anonymousDelete, 401, "unauthorized")

        // What may be sent.
        let srt = "1\n00:00:00,000 --> 00:00:01,000\nHello\n"
        Self.expectProblem(try Self.putCaption(daemon, id, "en", srt, contentType: "application/x-subrip"), 415, "unsupported-media-type")
        Self.expectProblem(try Self.putCaption(daemon, id, "en", Self.english, contentType: nil), 415, "unsupported-media-type")
        Self.expectProblem(
            try Self.putCaption(daemon, id, "en", Self.english, contentType: "text/vtt; charset=iso-8859-1"), 415, "unsupported-media-type")
        #expect(try Self.putCaption(daemon, id, "en", Self.english, contentType: "Text/VTT; charset=UTF-8").status == 201)
        #expect(Self.expectProblem(try Self.putCaption(daemon, id, "it", srt), 422, "bad-captions").contains("line 1"))
        let badTiming = "WEBVTT\n\n00:00.000 --> 00:01.000\nUno\n\n00:00:01.000 -> 00:00:02.000\nDue\n"
        #expect(Self.expectProblem(try Self.putCaption(daemon, id, "it", badTiming), 422, "bad-captions").contains("line 6"))
        let backwards = "WEBVTT\n\n00:00:02.000 --> 00:00:01.000\nIndietro\n"
        #expect(Self.expectProblem(try Self.putCaption(daemon, id, "it", backwards), 422, "bad-captions").contains("line 3"))
        let tooLarge = "WEBVTT\n\n00:00.000 --> 00:01.000\n" + String(repeating: "a", count: 2 << 20) + "\n"
        Self.expectProblem(try Self.putCaption(daemon, id, "it", tooLarge), 413, "payload-too-large")
        Self.expectProblem(try Self.putCaption(daemon, id, "it", Self.english, query: "?default=yes"), 400, "bad-default")
        Self.expectProblem(try Self.putCaption(daemon, id, "it", Self.english, query: "?label=a%0Ab"), 400, "bad-label")

        // Language tags are file names: nothing that could leave the captions folder passes.
        for tag in ["..%2Fx", "en%2F..%2F..%2Fetc", "..", "english", "e", "en_US", "en-", "en%00", String(repeating: "a", count: 40)] {
            Self.expectProblem(try Self.putCaption(daemon, id, tag, Self.english), 400, "bad-language")
            Self.expectProblem(try Self.deleteCaption(daemon, id, tag), 400, "bad-language")
        }
        for path in ["../x", "en/../../etc"] {
            let result = try Self.putCaption(daemon, id, path, Self.english)
            #expect((400..<500).contains(result.status) && result.headers["content-type"] == "application/problem+json", "\(path): \(result.status)")
        }
        let stored = try FileManager.default.contentsOfDirectory(atPath: dir + "/data/media/videos/\(id)/captions").sorted()
        #expect(stored == ["de.vtt", "en.vtt"])
        #expect(!FileManager.default.fileExists(atPath: dir + "/data/media/videos/\(id)/x.vtt"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/data/media/etc.vtt"))

        // Unknown videos and tracks.
        Self.expectProblem(try Self.putCaption(daemon, "nosuchvideo", "en", Self.english), 404, "not-found")
        Self.expectProblem(try daemon.get("/api/v1/videos/nosuchvideo/captions"), 404, "not-found")
        Self.expectProblem(try Self.deleteCaption(daemon, "nosuchvideo", "en"), 404, "not-found")
        Self.expectProblem(try Self.deleteCaption(daemon, id, "it"), 404, "not-found")
        #expect(Self.languages(try daemon.get("/api/v1/videos/\(id)/captions")) == ["de", "en"])

        _ = try await PlaybackTests.waitUntilReady(daemon, id: id)
        let master = try await Self.eventually(daemon, "/streams/\(id)/master.m3u8") { $0.body.contains("LANGUAGE=\"en\"") }
        #expect(master.body.contains("LANGUAGE=\"de\"") && master.body.contains("LANGUAGE=\"en\""), "\(master.body)")
        #expect(try await daemon.stop() == 0)
    }
}

private final class ConcurrentResults: @unchecked Sendable {  // `values` is guarded by `lock`
    let lock = NSLock()
    var values: [Int: Int] = [:]
}
