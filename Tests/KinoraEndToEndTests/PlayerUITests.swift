import Foundation
import KinoraTestSupport
import Testing

/// The player's DASH path and trickplay, the poster choice (API and studio page), the
/// schedule field and the studio list's paging.
extension WebUITests {
    /// In chromium (Tests/Fixtures/python/player_flows.py): `?format=dash` plays from the MPD
    /// and its segments, the quality menu switches DASH renditions, the seek bar shows a
    /// trickplay tile on hover and on keyboard focus, and the studio's edit page shows the API's
    /// 422 for a schedule, saves one in UTC, and changes the poster the watch page shows; the
    /// player's own buttons (not the browser's) play, pause, mute and show the captions.
    @Test func dashTrickplayAndPosterChoiceInChromium() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("playerui")
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--share-dir", Self.share])
        try await daemon.start()
        let (id, token) = try await Self.creatorVideo(daemon, dir: dir, title: "DASH <clip>")
        // A caption track, which the watch page must offer in its own captions menu.
        let caption = try daemon.request(
            "PUT", "/api/v1/videos/\(id)/captions/en", headers: AuthTests.bearer(token).merging(["Content-Type": "text/vtt"]) { $1 },
            body: Array("WEBVTT\n\n00:00.000 --> 00:10.000\nHello\n".utf8))
        #expect(caption.status == 201, "\(caption.status) \(caption.body)")
        let shots = dir + "/screenshots"
        let result = try await TestEnvironment.runOffPool(
            try TestEnvironment.testPython(),
            [
                TestEnvironment.pythonFixture("player_flows.py"), "http://127.0.0.1:\(daemon.port)", id, "carol", "carol's long password", shots,
            ])
        let report = result.output.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(
            result.status == 0 && report?["ok"] as? Bool == true,
            "the player flows failed; screenshots of each page are in \(shots)\n\(result.output)")
        try await daemon.stop()
        if result.status == 0 { try? FileManager.default.removeItem(atPath: dir) }
    }

    @Test func posterIsChosenAmongCandidatesAndTheStudioListPages() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("poster")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--share-dir", Self.share])
        try await daemon.start()
        let (id, token) = try await Self.creatorVideo(daemon, dir: dir, title: "Poster clip")
        let json = AuthTests.bearer(token).merging(["Content-Type": "application/json"]) { $1 }
        func patch(_ body: String) throws -> HTTPResult { try daemon.request("PATCH", "/api/v1/videos/\(id)", headers: json, body: Array(body.utf8)) }

        let before = try #require(try daemon.get("/api/v1/videos/\(id)").json as? [String: Any])
        let thumbnails = try #require(before["thumbnails"] as? [String: Any])
        let candidates = try #require(thumbnails["candidates"] as? [String])
        let oldPoster = try #require(thumbnails["poster"] as? String)
        #expect(candidates.count >= 2, "\(thumbnails)")
        let oldBytes = try daemon.get(oldPoster).body
        // A candidate whose picture differs from the current poster (a copy of the best one).
        let chosen = try #require(try candidates.first { try daemon.get($0).body != oldBytes })
        let name = try #require(chosen.split(separator: "/").last.map(String.init))

        // By name: the video's poster is now the candidate's own (immutable) URL.
        let changed = try patch(#"{"poster":"\#(name)"}"#)
        #expect(changed.status == 200, "\(changed.body)")
        let after = try #require((changed.json as? [String: Any])?["thumbnails"] as? [String: Any])
        #expect(after["poster"] as? String == chosen && after["candidates"] as? [String] == candidates)
        // Cards show the same frame small.
        let cards = try #require(thumbnails["cards"] as? [String])
        let chosenCard = try #require(candidates.firstIndex(of: chosen).map { cards[$0] })
        #expect(after["card"] as? String == chosenCard && thumbnails["card"] as? String != chosenCard, "\(after)")
        let served = try daemon.get(chosen)
        #expect(served.status == 200 && served.headers["cache-control"]?.contains("immutable") == true && served.body != oldBytes)
        // The watch page (full size), the home card (small) and the API all show it at once.
        let watch = try daemon.get("/watch/\(id)", headers: ["Accept": "text/html"])
        #expect(watch.body.contains("poster=\"\(chosen)\"") && !watch.body.contains("poster=\"\(oldPoster)\""))
        let home = try daemon.get("/", headers: ["Accept": "text/html"]).body
        #expect(home.contains("src=\"\(chosenCard)\"") && !home.contains(chosen + "\""), "the home card shows the small picture")
        // By URL (absolute too) it works the same; back to the first candidate.
        #expect(try patch(#"{"poster":"http://127.0.0.1:\#(daemon.port)\#(candidates[0])"}"#).status == 200)
        #expect(
            ((try daemon.get("/api/v1/videos/\(id)").json as? [String: Any])?["thumbnails"] as? [String: Any])?["poster"] as? String == candidates[0])

        // Anything else is a 422 naming the field, and changes nothing.
        for bad in [
            #""poster.jpg""#, #""candidate-99.jpg""#, #""../thumbs/candidate-1.jpg""#, #""/streams/other/thumbs/candidate-1.jpg""#,
            #""thumbs/sprite-001.jpg""#, "null", "7", "\"\(String(repeating: "a", count: 3000))\"",
        ] {
            let refused = try patch(#"{"poster":\#(bad)}"#)
            let problem = refused.json as? [String: Any]
            #expect(refused.status == 422 && problem?["field"] as? String == "poster", "\(bad): \(refused.status) \(refused.body)")
            if bad == #""candidate-99.jpg""# { #expect((problem?["detail"] as? String)?.contains("candidate-1.jpg") == true, "\(refused.body)") }
        }
        #expect(
            ((try daemon.get("/api/v1/videos/\(id)").json as? [String: Any])?["thumbnails"] as? [String: Any])?["poster"] as? String == candidates[0])
        // Only the owner (and admins) choose: another creator may see this public video, not change it.
        _ = try AuthTests.addUser(daemon, "dave", role: "creator", password: "dave's long password")
        let dave = try AuthTests.tokens(try AuthTests.login(daemon, "dave", "dave's long password")).access
        let foreign = try daemon.request(
            "PATCH", "/api/v1/videos/\(id)", headers: AuthTests.bearer(dave).merging(["Content-Type": "application/json"]) { $1 },
            body: Array(#"{"poster":"\#(name)"}"#.utf8))
        #expect(foreign.status == 403, "\(foreign.body)")

        // An audio-only upload never has candidates: a clear 422.
        let audio = dir + "/second.m4a"
        let made = try TestEnvironment.run(
            "/usr/bin/ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "aac", audio])
        #expect(made.status == 0, "\(made.output)")
        var form = MultipartBody()
        form.field("title", "Second")
        form.file("file", filename: "second.m4a", data: Array(try Data(contentsOf: URL(fileURLWithPath: audio))))
        let second = try daemon.request(
            "POST", "/api/v1/videos", headers: ["Content-Type": form.contentType, "Authorization": "Bearer \(token)"],
            body: form.finished())
        let secondID = try #require((second.json as? [String: Any])?["id"] as? String, "\(second.body)")
        let early = try daemon.request("PATCH", "/api/v1/videos/\(secondID)", headers: json, body: Array(#"{"poster":"candidate-1.jpg"}"#.utf8))
        #expect(early.status == 422 && (early.json as? [String: Any])?["detail"] as? String == PosterText.none, "\(early.body)")

        // The studio list pages by cursor: one a page here, the newest first, then "More".
        let html = AuthTests.bearer(token).merging(["Accept": "text/html"]) { $1 }
        let first = try daemon.get("/studio?limit=1", headers: html)
        #expect(first.status == 200 && first.body.contains("data-video-id=\"\(secondID)\"") && !first.body.contains("data-video-id=\"\(id)\""))
        let more = try #require(first.body.range(of: #"href="/studio\?cursor=[^"]+""#, options: .regularExpression).map { String(first.body[$0]) })
        let next = String(more.dropFirst(6).dropLast()).replacingOccurrences(of: "&amp;", with: "&")
        let page2 = try daemon.get(next, headers: html)
        #expect(
            page2.status == 200 && page2.body.contains("data-video-id=\"\(id)\"") && !page2.body.contains("data-video-id=\"\(secondID)\""), "\(next)")
        #expect(!page2.body.contains("rel=\"next\"") && page2.body.contains("First page"))
        let whole = try daemon.get("/studio", headers: html)
        #expect(whole.body.contains(id) && whole.body.contains(secondID) && !whole.body.contains("rel=\"next\""))
        for bad in ["/studio?cursor=garbage", "/studio?limit=0", "/studio?limit=101", "/studio?limit=x"] {
            let refused = try daemon.get(bad, headers: html)
            #expect(refused.status == 400 && refused.body.contains("does not exist"), "\(bad): \(refused.status)")
        }
        try await daemon.stop()
    }
}

enum PosterText {
    static let none = "this video has no thumbnail candidates (yet); a poster can be chosen once processing made them"
}
