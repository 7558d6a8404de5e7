import Foundation
import KinoraTestSupport
import Testing

/// The web UI as viewers use it, in Debian's chromium driven by Selenium
/// (Tests/Fixtures/python/browser_flows.py), against the real daemon serving the repository's
/// share folder; plus the page-level answers a browser cannot observe (status codes, escaping).
@Suite(.serialized) struct WebUITests {
    static let share = TestEnvironment.repositoryRoot + "/share"

    /// A creator's public upload of a clip with two renditions (240p and 360p), ready to play.
    static func creatorVideo(
        _ daemon: DaemonProcess, dir: String, title: String, visibility: String = "public", seconds: Int = 12
    ) async throws -> (id: String, token: String) {
        let added = try AuthTests.addUser(daemon, "carol", role: "creator", password: "carol's long password")
        guard added.status == 0 || added.output.contains("exists") || added.output.contains("taken") else {
            throw TestFailure("user add: \(added.output)")
        }
        let token = try AuthTests.tokens(try AuthTests.login(daemon, "carol", "carol's long password")).access
        let clip = try PlaybackTests.makeClip(dir + "/clip-\(visibility)-\(seconds).mp4", size: "640x360", seconds: seconds)
        var form = MultipartBody()
        form.field("title", title)
        form.field("description", "A test clip.\nSecond line <b>not bold</b>.")
        form.field("visibility", visibility)
        form.file("file", filename: "clip.mp4", data: clip)
        let created = try daemon.request(
            "POST", "/api/v1/videos", headers: ["Content-Type": form.contentType, "Authorization": "Bearer \(token)"],
            body: form.finished())
        let id = try #require((created.json as? [String: Any])?["id"] as? String, "\(created.status) \(created.body)")
        _ = try await PlaybackTests.waitUntilReady(daemon, id: id)
        return (id, token)
    }

    @Test func aViewerFindsWatchesChoosesAQualitySignsInOutAndUpInChromium() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("webui")
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--share-dir", Self.share])
        try await daemon.start()
        let (id, _) = try await Self.creatorVideo(daemon, dir: dir, title: "Browser <clip>")
        // Sign-up is by invitation out of the box; the browser signs a newcomer up with this code.
        let invited = try daemon.request(
            "POST", "/api/v1/invitations", headers: AuthTests.bearer(daemon.adminToken).merging(["Content-Type": "application/json"]) { $1 },
            body: Array("{}".utf8))
        let invitation = try #require((invited.json as? [String: Any])?["code"] as? String, "\(invited.status) \(invited.body)")
        let shots = dir + "/screenshots"
        let result = try await TestEnvironment.runOffPool(
            try TestEnvironment.testPython(),
            [
                TestEnvironment.pythonFixture("browser_flows.py"), "http://127.0.0.1:\(daemon.port)", id, "carol", "carol's long password", shots,
                invitation,
            ])
        let report = result.output.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(
            result.status == 0 && report?["ok"] as? Bool == true,
            "the browser flows failed; screenshots of each page are in \(shots)\n\(result.output)")
        try await daemon.stop()
        if result.status == 0 { try? FileManager.default.removeItem(atPath: dir) }
    }

    @Test func pagesEscapeUserTextHideHiddenVideosAndAnswerHTML404s() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("webpages")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--share-dir", Self.share])
        try await daemon.start()
        let html = ["Accept": "text/html"]
        let (id, token) = try await Self.creatorVideo(daemon, dir: dir, title: "<script>alert(1)</script> & co")

        let home = try daemon.get("/", headers: html)
        #expect(home.status == 200 && home.headers["content-type"] == "text/html; charset=utf-8")
        #expect(home.body.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co") && !home.body.contains("<script>alert(1)"), "\(home.body)")
        #expect(home.headers["x-frame-options"] == "DENY" && home.headers["content-security-policy"]?.contains("script-src 'self'") == true)

        let watch = try daemon.get("/watch/\(id)", headers: html)
        #expect(watch.status == 200 && watch.body.contains("data-src=\"/streams/\(id)/master.m3u8\""))
        #expect(watch.body.contains("Second line &lt;b&gt;not bold&lt;/b&gt;."))

        let search = try daemon.get("/search?q=alert", headers: html)
        #expect(search.status == 200 && search.body.contains("/watch/\(id)"))
        #expect(try daemon.get("/search?q=" + String(repeating: "a", count: 300), headers: html).body.contains("limited to 200 characters"))

        // A hidden video's page is the very 404 page of an unknown one; its owner sees it.
        let patched = try daemon.request(
            "PATCH", "/api/v1/videos/\(id)", headers: AuthTests.bearer(token).merging(["Content-Type": "application/json"]) { $1 },
            body: Array(#"{"visibility":"private"}"#.utf8))
        #expect(patched.status == 200, "\(patched.body)")
        let hidden = try daemon.get("/watch/\(id)", headers: html)
        let unknown = try daemon.get("/watch/nosuchvideo", headers: html)
        #expect(hidden.status == 404 && unknown.status == 404 && hidden.body == unknown.body && hidden.body.contains("Page not found"))
        #expect(try daemon.get("/watch/\(id)", headers: AuthTests.bearer(token)).status == 200)
        #expect(!(try daemon.get("/", headers: html).body.contains(id)), "a private video is listed on the home page")

        let nowhere = try daemon.get("/no/such/page", headers: html)
        #expect(nowhere.status == 404 && nowhere.headers["content-type"] == "text/html; charset=utf-8" && nowhere.body.contains("Page not found"))
        #expect(nowhere.headers["content-security-policy"] != nil)
        // API clients keep problem+json for unknown routes.
        let api = try daemon.get("/api/v1/nothing", headers: html)
        #expect(api.status == 404 && api.headers["content-type"]?.hasPrefix("application/problem+json") == true)

        let css = try daemon.get("/static/css/site.css")
        #expect(css.status == 200 && css.headers["content-type"] == "text/css; charset=utf-8" && css.headers["x-content-type-options"] == "nosniff")
        let etag = try #require(css.headers["etag"])
        #expect(try daemon.get("/static/css/site.css", headers: ["If-None-Match": etag]).status == 304)
        #expect(try daemon.get("/static/player/player.js").headers["content-type"] == "text/javascript; charset=utf-8")
        for path in ["/static/../openapi.yaml", "/static/%2e%2e/openapi.yaml", "/static/css/.hidden.css", "/static/css/missing.css", "/static/web"] {
            #expect(try daemon.get(path).status == 404, "\(path)")
        }
        try Self.expectGzippedWhenAccepted(daemon, dir: dir)
        try await daemon.stop()
    }

    /// Scripts and styles go gzipped to browsers that accept it (the same bytes once unpacked,
    /// their own ETag, `Vary`), plain to others and to `gzip;q=0`.
    static func expectGzippedWhenAccepted(_ daemon: DaemonProcess, dir: String) throws {
        let path = "/static/player/player.js"
        let original = Array(try Data(contentsOf: URL(fileURLWithPath: share + "/web" + path)))
        let plain = try daemon.get(path)
        #expect(plain.bytes == original && plain.headers["content-encoding"] == nil && plain.headers["vary"] == "Accept-Encoding")
        #expect(try daemon.get(path, headers: ["Accept-Encoding": "gzip;q=0, identity"]).headers["content-encoding"] == nil)
        let packed = try daemon.get(path, headers: ["Accept-Encoding": "br, gzip, deflate"])
        #expect(packed.status == 200 && packed.headers["content-encoding"] == "gzip" && packed.headers["vary"] == "Accept-Encoding")
        #expect(packed.bytes.count < original.count / 2, "gzip should at least halve a script: \(packed.bytes.count) of \(original.count)")
        let file = dir + "/player.js.gz"
        try Data(packed.bytes).write(to: URL(fileURLWithPath: file))
        let unpacked = try TestEnvironment.run("/usr/bin/gzip", ["-dc", file])
        #expect(unpacked.status == 0 && Array(unpacked.output.utf8) == original, "the gzipped script unpacks to the file")
        let etag = try #require(packed.headers["etag"])
        #expect(etag != plain.headers["etag"], "each representation has its own ETag")
        #expect(try daemon.get(path, headers: ["Accept-Encoding": "gzip", "If-None-Match": etag]).status == 304)
        // Pictures are compressed already: sent as they are.
        #expect(try daemon.get("/static/favicon.svg", headers: ["Accept-Encoding": "gzip"]).status == 200)
    }
}
