import Foundation
import KinoraTestSupport
import Testing

/// The installable web app (manifest, icons, service worker, offline page) and the player's
/// phone and language features.
extension WebUITests {
    /// The files that make the site an app, as the daemon serves them: the manifest with its
    /// own type and valid icons, the service worker allowed to control `/` and always
    /// revalidated, the offline page under the same security headers, and every page linking them.
    @Test func theWebAppFilesAreServedAndLinkedFromEveryPage() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("webappfiles")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--share-dir", Self.share])
        try await daemon.start()
        let manifest = try daemon.get("/static/app.webmanifest")
        #expect(manifest.status == 200 && manifest.headers["content-type"] == "application/manifest+json", "\(manifest.headers)")
        let app = try #require(try JSONSerialization.jsonObject(with: Data(manifest.body.utf8)) as? [String: Any])
        #expect(app["start_url"] as? String == "/" && app["scope"] as? String == "/" && app["display"] as? String == "standalone")
        let icons = try #require(app["icons"] as? [[String: Any]])
        for size in ["192x192", "512x512"] {
            let icon = try #require(icons.first { $0["sizes"] as? String == size && $0["type"] as? String == "image/png" }, "no \(size) PNG icon")
            let path = try #require(icon["src"] as? String)
            let png = try Data(contentsOf: URL(fileURLWithPath: Self.share + "/web" + path))
            // The PNG header's width and height (big-endian, bytes 16-23) are the declared size.
            let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
            #expect("\(width)x\(height)" == size && png.count < 20_000, "\(path): \(width)x\(height), \(png.count) bytes")
            let served = try daemon.get(path)
            #expect(served.status == 200 && served.headers["content-type"] == "image/png", "\(path)")
        }
        let worker = try daemon.get("/static/sw.js")
        #expect(worker.status == 200 && worker.headers["content-type"] == "text/javascript; charset=utf-8")
        #expect(worker.headers["service-worker-allowed"] == "/" && worker.headers["cache-control"] == "no-cache", "\(worker.headers)")
        #expect(worker.body.contains("'/streams/'") && worker.body.contains("'/api/'"), "the worker names what it never keeps")
        #expect(try daemon.get("/static/js/site.js").headers["service-worker-allowed"] == nil, "only the worker may widen its scope")
        let offline = try daemon.get("/static/offline.html")
        #expect(offline.status == 200 && offline.headers["content-type"] == "text/html; charset=utf-8")
        #expect(offline.headers["content-security-policy"] == WebUITests.contentSecurityPolicy && offline.body.contains("You are offline"))
        for page in ["/", "/login", "/search?q=x", "/no/such/page"] {
            let html = try daemon.get(page, headers: ["Accept": "text/html"]).body
            #expect(
                html.contains(#"<link rel="manifest" href="/static/app.webmanifest">"#) && html.contains(#"<meta name="theme-color""#)
                    && html.contains("/static/js/site.js"), "\(page) does not make the site an app")
        }
        try await daemon.stop()
    }

    /// In chromium (Tests/Fixtures/python/webapp_flows.py), against a video given a second
    /// audio language (two_languages.py: ffmpeg encodes it; both manifests list English first
    /// and French as the default) and English and French captions (French the default):
    /// installable with no errors, the service worker controls the page and caches no media,
    /// the audio menu in HLS and DASH, Media Session, picture in picture, touch targets and
    /// double-tap seek at phone width, and the offline page.
    @Test func anInstallableAppWithAudioLanguagesTouchAndAnOfflinePageInChromium() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("webapp")
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--share-dir", Self.share])
        try await daemon.start()
        let (id, token) = try await Self.creatorVideo(daemon, dir: dir, title: "Two languages")
        // Captions first: adding one republishes the manifests, which two_languages.py then extends.
        for (language, text, isDefault) in [("en", "Hello", false), ("fr", "Bonjour", true)] {
            let put = try CaptionTests.putCaption(
                daemon, id, language, "WEBVTT\n\n00:00.000 --> 00:12.000\n\(text)\n", query: "?default=\(isDefault)", token: token)
            #expect(put.status == 201, "\(put.status) \(put.body)")
        }
        let python = try TestEnvironment.testPython()
        let made = try TestEnvironment.run(python, [TestEnvironment.pythonFixture("two_languages.py"), daemon.dataDir + "/media/videos/\(id)"])
        #expect(made.status == 0, "two_languages.py: \(made.output)")
        try await Task.sleep(for: .seconds(1.2))  // past the stream cache's second
        let master = try daemon.get("/streams/\(id)/master.m3u8").body
        #expect(master.contains(#"LANGUAGE="fr""#) && master.contains(#"URI="audio-fr/media.m3u8""#), "\(master)")
        let shots = dir + "/screenshots"
        let result = try await TestEnvironment.runOffPool(
            python, [TestEnvironment.pythonFixture("webapp_flows.py"), "http://127.0.0.1:\(daemon.port)", id, shots])
        let report = result.output.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(
            result.status == 0 && report?["ok"] as? Bool == true,
            "the web app flows failed; screenshots of each page are in \(shots)\n\(result.output)")
        try await daemon.stop()
        if result.status == 0 { try? FileManager.default.removeItem(atPath: dir) }
    }

    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
        + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
}
