import Foundation
import KinoraTestSupport
import Testing

/// The account settings page: who gets it, what it prints of the profile (escaped), and the
/// whole profile → avatar → preferences → API key → password → two-factor → sessions flow in
/// Debian's chromium (Tests/Fixtures/python/settings_flows.py).
@Suite(.serialized) struct SettingsPagesTests {
    @Test func settingsSendsAnonymousToSignInAndEscapesTheProfile() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("settingspage")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--share-dir", WebUITests.share])
        try await daemon.start()
        let token = try StudioTests.token(daemon, "dana", role: "viewer")

        let anonymous = try daemon.get("/settings", headers: StudioTests.html)
        #expect(anonymous.status == 303 && anonymous.headers["location"] == "/login?next=/settings")
        #expect(anonymous.headers["content-security-policy"] != nil)

        let patched = try daemon.request(
            "PATCH", "/api/v1/me", headers: AuthTests.bearer(token).merging(["Content-Type": "application/json"]) { $1 },
            body: Array(try JSONSerialization.data(withJSONObject: ["display_name": "<b>Dana</b>", "bio": "I & \"you\""])))
        #expect(patched.status == 200, "\(patched.body)")
        let page = try daemon.get("/settings", headers: AuthTests.bearer(token).merging(StudioTests.html) { $1 })
        #expect(page.status == 200 && page.headers["cache-control"] == "no-store")
        #expect(page.headers["content-security-policy"]?.contains("script-src 'self'") == true)
        #expect(page.body.contains("value=\"&lt;b&gt;Dana&lt;/b&gt;\"") && !page.body.contains("<b>Dana</b>"))
        #expect(page.body.contains("I &amp; &quot;you&quot;</textarea>"))
        for section in ["profile", "preferences", "password", "two-factor", "sessions", "api-keys"] {
            #expect(page.body.contains("id=\"\(section)\""), "no \(section) section")
        }
        #expect(!page.body.contains("<script>") && !page.body.contains("style="), "no inline script or style")

        // The bootstrap token has no account: a page that says so, no forms.
        let bootstrap = try daemon.get("/settings", headers: AuthTests.bearer(daemon.adminToken).merging(StudioTests.html) { $1 })
        #expect(bootstrap.status == 200 && bootstrap.body.contains("belongs to no account") && !bootstrap.body.contains("profile-form"))
        #expect(try await daemon.stop() == 0)
    }

    @Test func anAccountChangesItsSettingsAndEndsAnotherSessionInChromium() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("settingsflow")
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--share-dir", WebUITests.share])
        try await daemon.start()
        _ = try StudioTests.token(daemon, "dana", role: "viewer")
        let avatar = dir + "/avatar.png"
        let made = try TestEnvironment.run(
            "/usr/bin/ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "color=c=teal:s=320x240", "-frames:v", "1", avatar])
        #expect(made.status == 0, "\(made.output)")
        let shots = dir + "/screenshots"
        let result = try await TestEnvironment.runOffPool(
            try TestEnvironment.testPython(),
            [
                TestEnvironment.pythonFixture("settings_flows.py"), "http://127.0.0.1:\(daemon.port)", "dana", "dana's long password", avatar, shots,
            ])
        let report = result.output.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(
            result.status == 0 && report?["ok"] as? Bool == true,
            "the settings flows failed; screenshots of each page are in \(shots)\n\(result.output)")
        try await daemon.stop()
        if result.status == 0 { try? FileManager.default.removeItem(atPath: dir) }
    }

    @Test func singleSignOnFromTheLoginPageEndsSignedInInChromium() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("ssoflow")
        let provider = OIDCProviderProcess()
        defer { provider.stop() }
        try await provider.start()
        try provider.setUser("sam-sub", claims: ["email": "sam@example.com", "email_verified": true, "preferred_username": "sam", "name": "Sam"])
        try """
        [oidc.mock]
        issuer = "\(provider.issuer)"
        client_id = "kinora"
        client_secret = "\(OIDCTests.secret)"
        display_name = "Mock SSO"
        """.write(toFile: dir + "/kinora.toml", atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", dir + "/kinora.toml", "--share-dir", WebUITests.share])
        try await daemon.start()
        defer { if daemon.process.isRunning { daemon.killHard() } }
        let shots = dir + "/screenshots"
        let result = try await TestEnvironment.runOffPool(
            try TestEnvironment.testPython(),
            [
                TestEnvironment.pythonFixture("settings_flows.py"), "sso", "http://127.0.0.1:\(daemon.port)", "sam-sub", "Sam", shots,
            ])
        let report = result.output.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(
            result.status == 0 && report?["ok"] as? Bool == true,
            "the single sign-on flow failed; screenshots are in \(shots)\n\(result.output)")
        try await daemon.stop()
        if result.status == 0 { try? FileManager.default.removeItem(atPath: dir) }
    }
}
