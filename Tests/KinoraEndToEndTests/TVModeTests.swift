import Foundation
import KinoraTestSupport
import Testing

/// TV mode (`/tv`): driven in chromium by the keys a remote has (Tests/Fixtures/python/tv_flows.py),
/// and its pages' answers: the same visibility rules and escaping as the viewer site.
extension WebUITests {
    static func send(_ daemon: DaemonProcess, _ method: String, _ path: String, token: String, json: String) throws -> HTTPResult {
        try daemon.request(
            method, path, headers: AuthTests.bearer(token).merging(["Content-Type": "application/json"]) { $1 }, body: Array(json.utf8))
    }

    /// Rows, the on-screen keyboard, the player's keys, Back with focus restored, and the
    /// time to first frame from Enter on a card, which the test prints.
    @Test func tvModeByKeyboardAloneInChromium() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("tvmode")
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--share-dir", Self.share])
        try await daemon.start()
        // The older video is long enough to seek 10 s after a few seconds of key presses.
        let (first, token) = try await Self.creatorVideo(daemon, dir: dir, title: "Falcon <flight>", seconds: 30)
        let (second, _) = try await Self.creatorVideo(daemon, dir: dir, title: "Harbour lights", seconds: 12)
        #expect(try Self.send(daemon, "POST", "/api/v1/categories", token: daemon.adminToken, json: #"{"id":"music","name":"Music"}"#).status == 201)
        let patched = try Self.send(daemon, "PATCH", "/api/v1/videos/\(first)", token: token, json: #"{"category":"music"}"#)
        #expect(patched.status == 200, "\(patched.body)")
        let caption = try daemon.request(
            "PUT", "/api/v1/videos/\(first)/captions/en", headers: AuthTests.bearer(token).merging(["Content-Type": "text/vtt"]) { $1 },
            body: Array("WEBVTT\n\n00:00.000 --> 00:30.000\nHello\n".utf8))
        #expect(caption.status == 201, "\(caption.status) \(caption.body)")
        let shots = dir + "/screenshots"
        let result = try await TestEnvironment.runOffPool(
            try TestEnvironment.testPython(),
            [TestEnvironment.pythonFixture("tv_flows.py"), "http://127.0.0.1:\(daemon.port)", first, second, "falc", shots])
        let report = result.output.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        if let figures = report?["first_frame_ms"] as? [String: Any] {
            print("TV mode time to first frame (Enter to `playing`): \(figures)")
        }
        #expect(
            result.status == 0 && report?["ok"] as? Bool == true,
            "the TV flows failed; screenshots of each page are in \(shots)\n\(result.output)")
        try await daemon.stop()
        if result.status == 0 { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// A private video is in no row and no search result and its TV player is the 404 page of
    /// an unknown id, except for its owner; titles are escaped; a subscriber gets the
    /// subscriptions row; the keyboard is there without a query.
    @Test func tvPagesFollowVisibilityAndEscapeUserText() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("tvpages")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--share-dir", Self.share])
        try await daemon.start()
        let html = ["Accept": "text/html"]
        let (id, token) = try await Self.creatorVideo(daemon, dir: dir, title: "<script>alert(1)</script> & co", seconds: 4)

        let home = try daemon.get("/tv", headers: html)
        #expect(home.status == 200 && home.headers["content-type"] == "text/html; charset=utf-8")
        #expect(home.headers["content-security-policy"] == WebUITests.policy && home.headers["x-frame-options"] == "DENY")
        #expect(home.body.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co") && !home.body.contains("<script>alert(1)"), "\(home.body)")
        #expect(home.body.contains("href=\"/tv/watch/\(id)\"") && home.body.contains("Latest") && !home.body.contains("From your subscriptions"))
        let search = try daemon.get("/tv/search?q=alert", headers: html)
        #expect(search.status == 200 && search.body.contains("/tv/watch/\(id)") && search.body.contains("data-key=\"a\""))
        #expect(try daemon.get("/tv/search?q=" + String(repeating: "a", count: 300), headers: html).body.contains("limited to 200 characters"))
        let empty = try daemon.get("/tv/search", headers: html)
        #expect(empty.status == 200 && empty.body.contains("data-key=\"delete\"") && !empty.body.contains("/tv/watch/"))
        let watch = try daemon.get("/tv/watch/\(id)", headers: html)
        #expect(watch.status == 200 && watch.body.contains("data-src=\"/streams/\(id)/master.m3u8\"") && !watch.body.contains("<script>alert(1)"))

        // A viewer who follows the channel gets the subscriptions row first.
        _ = try AuthTests.addUser(daemon, "vera", role: "viewer", password: "vera's long password")
        let vera = try AuthTests.tokens(try AuthTests.login(daemon, "vera", "vera's long password")).access
        let channel = try #require(CatalogTests.ids(try daemon.get("/api/v1/me/channels", headers: AuthTests.bearer(token))).first)
        #expect(try SocialTests.call(daemon, "PUT", "/api/v1/channels/\(channel)/subscription", vera).status < 300)
        let followed = try daemon.get("/tv", headers: AuthTests.bearer(vera).merging(html) { $1 }).body
        let rowsAt = ["row-subscriptions", "row-latest"].map { followed.range(of: $0)?.lowerBound }
        #expect(rowsAt[0] != nil && rowsAt[1] != nil && rowsAt[0]! < rowsAt[1]!, "\(followed)")

        // Private: gone from rows, search and the subscriptions row; the player is the 404 page.
        #expect(try Self.send(daemon, "PATCH", "/api/v1/videos/\(id)", token: token, json: #"{"visibility":"private"}"#).status == 200)
        #expect(!(try daemon.get("/tv", headers: html).body.contains(id)), "a private video is listed on /tv")
        #expect(!(try daemon.get("/tv", headers: AuthTests.bearer(vera).merging(html) { $1 }).body.contains(id)))
        #expect(!(try daemon.get("/tv/search?q=alert", headers: html).body.contains(id)), "a private video is found by TV search")
        let hidden = try daemon.get("/tv/watch/\(id)", headers: html)
        let unknown = try daemon.get("/tv/watch/nosuchvideo", headers: html)
        #expect(hidden.status == 404 && unknown.status == 404 && hidden.body == unknown.body && hidden.body.contains("Back to TV home"))
        #expect(hidden.headers["content-security-policy"] == WebUITests.policy)
        #expect(try daemon.get("/tv/watch/\(id)", headers: AuthTests.bearer(token).merging(html) { $1 }).status == 200)
        try await daemon.stop()
    }

    static let policy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
}
