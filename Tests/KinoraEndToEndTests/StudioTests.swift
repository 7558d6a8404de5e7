import Foundation
import KinoraTestSupport
import Testing

/// The creator studio: who gets which page (status codes a browser hides behind redirects),
/// and the whole upload → pause → reload → resume → dropped connection → process → edit →
/// delete flow in Debian's chromium (Tests/Fixtures/python/studio_flows.py).
@Suite(.serialized) struct StudioTests {
    static let html = ["Accept": "text/html"]

    static func token(_ daemon: DaemonProcess, _ name: String, role: String) throws -> String {
        let password = "\(name)'s long password"
        let added = try AuthTests.addUser(daemon, name, role: role, password: password)
        guard added.status == 0 else { throw TestFailure("user add: \(added.output)") }
        return try AuthTests.tokens(try AuthTests.login(daemon, name, password)).access
    }

    @Test func studioPagesSendAnonymousToSignInRefuseViewersAndHideOthersVideos() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("studiopages")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--share-dir", WebUITests.share])
        try await daemon.start()
        let (id, owner) = try await WebUITests.creatorVideo(daemon, dir: dir, title: "Studio <b>clip</b>")
        let viewer = try Self.token(daemon, "vic", role: "viewer")
        let other = try Self.token(daemon, "bob", role: "creator")

        let anonymous = try daemon.get("/studio/upload", headers: Self.html)
        #expect(anonymous.status == 303 && anonymous.headers["location"] == "/login?next=/studio/upload")
        #expect(anonymous.headers["content-security-policy"] != nil)
        #expect(try daemon.get("/studio/videos/\(id)", headers: Self.html).headers["location"] == "/login?next=/studio/videos/\(id)")

        // The header links the studio for those who may upload.
        #expect(try daemon.get("/", headers: AuthTests.bearer(owner)).body.contains("<a href=\"/studio\" class=\"studio-link\">Studio</a>"))
        #expect(!(try daemon.get("/", headers: AuthTests.bearer(viewer)).body.contains("href=\"/studio\"")))
        let refused = try daemon.get("/studio", headers: AuthTests.bearer(viewer))
        #expect(refused.status == 403 && refused.body.contains("You cannot upload videos"), "\(refused.status) \(refused.body)")

        let list = try daemon.get("/studio", headers: AuthTests.bearer(owner))
        #expect(
            list.status == 200 && list.body.contains("/studio/videos/\(id)") && list.body.contains("Studio &lt;b&gt;clip&lt;/b&gt;"), "\(list.body)")
        #expect(list.body.contains(">Ready<") && !list.body.contains("<b>clip"))
        #expect(!(try daemon.get("/studio", headers: AuthTests.bearer(other)).body.contains(id)), "another creator's studio lists the video")

        let upload = try daemon.get("/studio/upload", headers: AuthTests.bearer(owner))
        #expect(upload.status == 200 && upload.body.contains("id=\"upload-file\"") && upload.body.contains("/static/js/studio-upload.js"))

        let edit = try daemon.get("/studio/videos/\(id)", headers: AuthTests.bearer(owner))
        #expect(
            edit.status == 200 && edit.body.contains("value=\"Studio &lt;b&gt;clip&lt;/b&gt;\"")
                && edit.body.contains("<option value=\"public\" selected>Public</option>"))
        #expect(try daemon.get("/studio/videos/\(id)", headers: AuthTests.bearer(daemon.adminToken)).status == 200)
        // Someone else's video, visible or not, is the same 404 page as an unknown one.
        let foreign = try daemon.get("/studio/videos/\(id)", headers: AuthTests.bearer(other))
        let unknown = try daemon.get("/studio/videos/nosuchvideo", headers: AuthTests.bearer(other))
        #expect(foreign.status == 404 && unknown.status == 404 && foreign.body == unknown.body && foreign.body.contains("Page not found"))
        for path in ["/static/js/tus.js", "/static/js/studio-upload.js", "/static/js/studio-edit.js"] {
            #expect(try daemon.get(path).headers["content-type"] == "text/javascript; charset=utf-8", "\(path)")
        }
        try await daemon.stop()
    }

    @Test func aCreatorUploadsPausesReloadsResumesEditsAndDeletesInChromium() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("studioflow")
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--share-dir", WebUITests.share])
        try await daemon.start()
        _ = try Self.token(daemon, "carol", role: "creator")
        let clip = dir + "/studio clip.mp4"
        _ = try PlaybackTests.makeClip(clip, size: "640x360", seconds: 12)
        let shots = dir + "/screenshots"
        let result = try await TestEnvironment.runOffPool(
            try TestEnvironment.testPython(),
            [
                TestEnvironment.pythonFixture("studio_flows.py"), "http://127.0.0.1:\(daemon.port)", "carol", "carol's long password", clip, shots,
            ])
        let report = result.output.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(
            result.status == 0 && report?["ok"] as? Bool == true,
            "the studio flows failed; screenshots of each page are in \(shots)\n\(result.output)")
        try await daemon.stop()
        if result.status == 0 { try? FileManager.default.removeItem(atPath: dir) }
    }
}
