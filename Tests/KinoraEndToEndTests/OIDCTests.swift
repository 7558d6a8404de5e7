import Foundation
import KinoraTestSupport
import Testing

/// Single sign-on against a real OpenID Connect provider (oidc-provider-mock) on loopback:
/// the test plays the browser, following each redirect by hand.
@Suite struct OIDCTests {
    static let secret = "kinora-test-client-secret"

    /// The daemon with two providers on the same mock: `mock` (defaults: link by email,
    /// create accounts) and `strict` (neither).
    static func start(_ provider: OIDCProviderProcess, dir: String) async throws -> DaemonProcess {
        let config = dir + "/kinora.toml"
        try """
        [oidc.mock]
        issuer = "\(provider.issuer)"
        client_id = "kinora"
        client_secret = "\(secret)"
        display_name = "Mock SSO"

        [oidc.strict]
        issuer = "\(provider.issuer)/"
        client_id = "kinora-strict"
        client_secret_file = "strict-secret"
        token_auth_method = "client_secret_post"
        link_by_email = false
        create_accounts = false
        """.write(toFile: config, atomically: true, encoding: .utf8)
        try "strict-secret-value\n".write(toFile: dir + "/strict-secret", atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", config])
        try await daemon.start()
        return daemon
    }

    /// A login in progress: the provider's authorization URL (path and query) and the cookie.
    struct Started {
        var authorizePath: String
        var cookie: String
    }

    static func begin(
        _ daemon: DaemonProcess, _ provider: OIDCProviderProcess, name: String = "mock", query: String = "mode=json",
        cookie: String? = nil
    ) throws -> Started {
        let start = try daemon.get("/api/v1/auth/oidc/\(name)/start?\(query)", headers: cookie.map { ["Cookie": $0] } ?? [:])
        #expect(start.status == 302, "\(start.body)")
        let location = try #require(start.headers["location"])
        #expect(location.hasPrefix(provider.issuer + "/oauth2/authorize?"))
        let setCookie = try #require(start.headers["set-cookie"])
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax"))
        return Started(
            authorizePath: String(location.dropFirst(provider.issuer.count)),
            cookie: String(setCookie.prefix { $0 != ";" }))
    }

    /// The provider's form: choose `subject` (or deny); answers the callback path on the daemon.
    static func authorize(_ provider: OIDCProviderProcess, _ started: Started, as subject: String?, port: Int) throws -> String {
        let page = try provider.request("GET", started.authorizePath)
        #expect(page.status == 200 && page.body.contains("name=\"sub\""), "\(page.status) \(page.body.prefix(300))")
        let form = subject.map { "sub=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? "action=deny"
        let chosen = try provider.request(
            "POST", started.authorizePath, headers: ["Content-Type": "application/x-www-form-urlencoded"],
            body: Array(form.utf8))
        #expect(chosen.status == 302, "\(chosen.body.prefix(300))")
        let back = try #require(chosen.headers["location"])
        let base = "http://127.0.0.1:\(port)"
        #expect(back.hasPrefix(base + "/api/v1/auth/oidc/"))
        return String(back.dropFirst(base.count))
    }

    static func signIn(_ daemon: DaemonProcess, _ provider: OIDCProviderProcess, as subject: String, name: String = "mock") throws -> HTTPResult {
        let started = try begin(daemon, provider, name: name)
        let callback = try authorize(provider, started, as: subject, port: daemon.port)
        return try daemon.get(callback, headers: ["Cookie": started.cookie])
    }

    static func me(_ daemon: DaemonProcess, _ result: HTTPResult) throws -> [String: Any] {
        let tokens = try AuthTests.tokens(result)
        let me = try daemon.get("/api/v1/me", headers: AuthTests.bearer(tokens.access))
        #expect(me.status == 200, "\(me.body)")
        return try #require(me.json as? [String: Any])
    }

    @Test func signInCreatesLinksAndRefusesForgeries() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("oidc")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let provider = OIDCProviderProcess()
        defer { provider.stop() }
        try await provider.start()
        let daemon = try await Self.start(provider, dir: dir)
        defer { if daemon.process.isRunning { daemon.killHard() } }

        // The daemon does not link libcurl (and its TLS library): SSO loads it on first use.
        // (The bundled storage-s3 plugin links it, so whether it is mapped depends on plugins.)
        let linked = try TestEnvironment.run("/usr/bin/readelf", ["-d", TestEnvironment.kinoraExecutable])
        #expect(linked.status == 0 && linked.output.contains("NEEDED") && !linked.output.contains("libcurl"), "\(linked.output)")

        let listed = try daemon.get("/api/v1/auth/oidc/providers")
        #expect(listed.status == 200 && listed.body.contains("\"display_name\":\"Mock SSO\""), "\(listed.body)")
        #expect(AuthTests.type(try daemon.get("/api/v1/auth/oidc/nope/start")) == "oidc-provider-unknown")

        // First login: an account is created and linked; the second finds the same account.
        try provider.setUser(
            "carol-sub",
            claims: [
                "email": "carol@example.com", "email_verified": true,
                "preferred_username": "carol", "name": "Carol C",
            ])
        let first = try Self.signIn(daemon, provider, as: "carol-sub")
        #expect(first.status == 200 && first.headers["cache-control"] == "no-store", "\(first.body)")
        let carol = try Self.me(daemon, first)
        #expect(carol["username"] as? String == "carol" && carol["display_name"] as? String == "Carol C" && carol["role"] as? String == "viewer")
        #expect(carol["email"] as? String == "carol@example.com" && carol["email_verified"] as? Bool == true)
        let links = try #require(carol["linked_providers"] as? [[String: Any]])
        #expect(links.count == 1 && links.first?["provider"] as? String == "mock")
        #expect(try Self.me(daemon, try Self.signIn(daemon, provider, as: "carol-sub"))["id"] as? String == carol["id"] as? String)

        // A state works once.
        let started = try Self.begin(daemon, provider)
        let callback = try Self.authorize(provider, started, as: "carol-sub", port: daemon.port)
        #expect(try daemon.get(callback, headers: ["Cookie": started.cookie]).status == 200)
        let replay = try daemon.get(callback, headers: ["Cookie": started.cookie])
        #expect(replay.status == 400 && AuthTests.type(replay) == "oidc-state-invalid", "\(replay.body)")

        // A callback in a browser that did not start the login (no binding cookie) is refused.
        let elsewhere = try Self.begin(daemon, provider)
        let stolen = try daemon.get(try Self.authorize(provider, elsewhere, as: "carol-sub", port: daemon.port))
        #expect(stolen.status == 400 && AuthTests.type(stolen) == "oidc-state-invalid")

        // An ID token carrying another nonce than the login's (the authorization URL edited).
        var forged = try Self.begin(daemon, provider)
        let nonce = try #require(forged.authorizePath.range(of: #"nonce=[a-z2-7]+"#, options: .regularExpression))
        forged.authorizePath.replaceSubrange(nonce, with: "nonce=forged")
        let wrongNonce = try daemon.get(try Self.authorize(provider, forged, as: "carol-sub", port: daemon.port), headers: ["Cookie": forged.cookie])
        #expect(
            wrongNonce.status == 401 && AuthTests.type(wrongNonce) == "oidc-token-invalid" && wrongNonce.body.contains("nonce"), "\(wrongNonce.body)")

        // A payload changed under its signature, and an unsigned token.
        try provider.tamper("payload")
        let tampered = try Self.signIn(daemon, provider, as: "carol-sub")
        #expect(tampered.status == 401 && AuthTests.type(tampered) == "oidc-token-invalid" && tampered.body.contains("signature"), "\(tampered.body)")
        try provider.tamper("alg-none")
        let unsigned = try Self.signIn(daemon, provider, as: "carol-sub")
        #expect(unsigned.status == 401 && AuthTests.type(unsigned) == "oidc-token-invalid" && unsigned.body.contains("algorithm"), "\(unsigned.body)")
        try provider.tamper("off")

        // The user says no at the provider.
        let denied = try Self.begin(daemon, provider)
        let refusal = try daemon.get(try Self.authorize(provider, denied, as: nil, port: daemon.port), headers: ["Cookie": denied.cookie])
        #expect(
            refusal.status == 401 && AuthTests.type(refusal) == "oidc-provider-error" && refusal.body.contains("access_denied"), "\(refusal.body)")

        // A provider that neither links by email nor creates accounts.
        let strict = try Self.signIn(daemon, provider, as: "carol-sub", name: "strict")
        #expect(strict.status == 403 && AuthTests.type(strict) == "oidc-no-account", "\(strict.body)")

        let log = daemon.log
        #expect(log.contains("oidc: signed in") && log.contains("oidc-token-invalid"))
        #expect(!log.contains(Self.secret) && !log.contains("strict-secret-value") && !log.contains("eyJ"), "no secret or token in the log")
        #expect(try await daemon.stop() == 0)
    }

    @Test func verifiedEmailLinksExistingAccountAndBrowsersGetOneTimeCodes() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("oidc")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let provider = OIDCProviderProcess()
        defer { provider.stop() }
        try await provider.start()
        let daemon = try await Self.start(provider, dir: dir)
        defer { if daemon.process.isRunning { daemon.killHard() } }

        let added = try AuthTests.addUser(daemon, "dave", role: "creator", password: "dave's long password", extra: ["--email", "dave@example.com"])
        #expect(added.status == 0, "\(added.output)")
        #expect(
            try AuthTests.addUser(daemon, "dave2", role: "viewer", password: "another password", extra: ["--email", "DAVE@example.com"]).status != 0,
            "emails are unique whatever their case")
        #expect(
            try AuthTests.addUser(daemon, "dave3", role: "viewer", password: "another password", extra: ["--email", "not an address"]).status != 0)

        // An unverified claim of dave's address gets an account of its own, without the address.
        try provider.setUser("eve-sub", claims: ["email": "dave@example.com", "email_verified": false, "preferred_username": "dave"])
        let eve = try Self.me(daemon, try Self.signIn(daemon, provider, as: "eve-sub"))
        #expect(eve["username"] as? String == "dave-2" && eve["role"] as? String == "viewer" && eve["email"] is NSNull, "\(eve)")
        // An identity calling itself "Admin" does not get that name (nor, later, the channel @admin).
        try provider.setUser("mallory-sub", claims: ["preferred_username": "Admin"])
        let mallory = try Self.me(daemon, try Self.signIn(daemon, provider, as: "mallory-sub"))
        #expect(mallory["username"] as? String == "user-Admin", "\(mallory)")

        // A verified one signs in to dave's account, and links it.
        try provider.setUser("dave-sub", claims: ["email": "Dave@Example.com", "email_verified": true])
        let dave = try Self.me(daemon, try Self.signIn(daemon, provider, as: "dave-sub"))
        #expect(dave["username"] as? String == "dave" && dave["role"] as? String == "creator" && dave["email"] as? String == "dave@example.com")
        #expect((dave["linked_providers"] as? [[String: Any]])?.first?["provider"] as? String == "mock")

        // Open redirects are refused before anything else happens.
        // The probe's payloads: a tab or a backslash that only appears once decoded, and the login
        // page's own ?next= (which the callback's redirect lands on) carrying one, double-encoded.
        for target in [
            "https://evil.example/", "//evil.example/x", "/\\evil.example", "evil", "/a#b", "/\r\nSet-Cookie: x=1",
            "/%09/evil.example", "/%2F%2Fevil.example", "/%5Cevil.example", "%2F%5Cevil.example", "javascript:alert(1)",
            "/login?next=%2F%5Cevil.example", "/login?next=%252F%255Cevil.example", "/login?next=%2F%2Fevil.example",
        ] {
            let escaped = target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? target
            let refused = try daemon.get("/api/v1/auth/oidc/mock/start?redirect=\(escaped)")
            #expect(refused.status == 400 && AuthTests.type(refused) == "oidc-redirect-invalid", "\(target): \(refused.status) \(refused.body)")
        }

        // A browser login: back to the page with a one-time code in the fragment, traded once.
        let started = try Self.begin(daemon, provider, query: "redirect=%2Fvideos%3Fsort%3Dnew")
        let callback = try daemon.get(try Self.authorize(provider, started, as: "dave-sub", port: daemon.port), headers: ["Cookie": started.cookie])
        #expect(callback.status == 303, "\(callback.body)")
        let location = try #require(callback.headers["location"])
        #expect(location.hasPrefix("/videos?sort=new#oidc_code=") && !location.contains("eyJ"))
        let code = String(location.dropFirst("/videos?sort=new#oidc_code=".count))
        let traded = try AuthTests.post(daemon, "/api/v1/auth/oidc/exchange", ["code": code])
        #expect(traded.status == 200, "\(traded.body)")
        #expect(try Self.me(daemon, traded)["username"] as? String == "dave")
        let again = try AuthTests.post(daemon, "/api/v1/auth/oidc/exchange", ["code": code])
        #expect(again.status == 400 && AuthTests.type(again) == "oidc-code-invalid")
        #expect(try await daemon.stop() == 0)
    }
}
