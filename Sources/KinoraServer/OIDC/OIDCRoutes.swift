import Crypto
import Foundation
import Hummingbird
import KinoraCore
import KinoraHost
import KinoraStore

/// Single sign-on with OpenID Connect: authorization code flow with PKCE (S256), `state` and
/// `nonce` kept server-side (10 minutes, single use) and bound to the starting browser by a
/// cookie, ID tokens checked against the provider's JWKS. The tokens a login earns reach the
/// client either in the callback's JSON (`mode=json`) or, for browsers, through a one-time
/// code in the fragment of a same-site redirect, traded with `POST /api/v1/auth/oidc/exchange`:
/// tokens never travel in a URL.
struct OIDCRoutes {
    let database: KinoraDatabase
    let auth: AuthRoutes
    let providers: [String: OIDCProvider]
    /// `[server] public_url`; without it the callback URL is built from the Host header.
    let publicURL: String?

    /// Usernames an SSO identity may not take as they stand (they become channel handles).
    let reservedHandles: Set<String>

    init(database: KinoraDatabase, auth: AuthRoutes, configs: [OIDCProviderConfig], publicURL: String?, reservedHandles: Set<String> = []) {
        self.database = database
        self.reservedHandles = reservedHandles.union(Accounts.reservedUsernames)
        self.auth = auth
        providers = Dictionary(uniqueKeysWithValues: configs.map { ($0.name, OIDCProvider(config: $0)) })
        self.publicURL = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    static let loginLifetime: TimeInterval = 600
    static let cookieName = "kinora_oidc"
    static let cookiePath = "/api/v1/auth/oidc/"

    func register(on router: Router<KinoraRequestContext>) {
        router.get("api/v1/auth/oidc/providers") { _, context in
            try Access.anyone.check(context)
            return try await list()
        }
        router.get("api/v1/auth/oidc/:provider/start") { request, context in
            try Access.anyone.check(context)
            return try await failing(context) { try await start(request, context) }
        }
        router.get("api/v1/auth/oidc/:provider/callback") { request, context in
            try Access.anyone.check(context)
            return try await failing(context) { try await callback(request, context) }
        }
        router.post("api/v1/auth/oidc/exchange") { request, context in
            try Access.anyone.check(context)
            return try await failing(context) { try await exchange(request, context) }
        }
    }

    func list() async throws -> Response {
        var items: [[String: Any]] = []
        for (name, provider) in providers.sorted(by: { $0.key < $1.key }) {
            items.append(["name": name, "display_name": provider.config.displayName,
                          "start": "/api/v1/auth/oidc/\(name)/start"])
        }
        return try JSONResponse.make(.ok, ["items": items])
    }

    func start(_ request: Request, _ context: KinoraRequestContext) async throws(OIDCError) -> Response {
        let (name, provider) = try self.provider(context)
        let query = request.uri.queryParameters
        let returnTo = try Self.checkRedirect(query.get("redirect") ?? "/", publicURL: publicURL)
        let mode = query.get("mode") ?? "redirect"
        guard mode == "redirect" || mode == "json" else { throw .badRequest("mode is \"redirect\" (the default) or \"json\"") }
        let metadata = try await provider.discover()
        let redirectURI = try publicBase(request) + "/api/v1/auth/oidc/\(name)/callback"
        let state = RandomID.make(bytes: 32), nonce = RandomID.make(bytes: 32), verifier = RandomID.make(bytes: 32)
        // A browser keeps one binding for all its logins, so two tabs do not undo each other.
        let binding = Self.cookie(request).flatMap { $0.count == 52 ? $0 : nil } ?? RandomID.make(bytes: 32)
        do {
            try database.oidc.addLogin(OIDCLoginRecord(
                stateHash: Self.hash(state), provider: name, nonce: nonce, codeVerifier: verifier, redirectURI: redirectURI,
                returnTo: returnTo, mode: mode, bindingHash: Self.hash(binding), expiresAt: Date().addingTimeInterval(Self.loginLifetime)))
        } catch {
            throw .providerUnavailable("the login could not be recorded")
        }
        let parameters = [
            ("response_type", "code"), ("client_id", provider.config.clientID), ("redirect_uri", redirectURI),
            ("scope", provider.config.scopes.joined(separator: " ")), ("state", state), ("nonce", nonce),
            ("code_challenge", JWTSigner.base64URL(Array(SHA256.hash(data: Array(verifier.utf8))))), ("code_challenge_method", "S256"),
        ]
        let authorizationQuery = parameters.map { OIDCProvider.formEncode($0.0) + "=" + OIDCProvider.formEncode($0.1) }.joined(separator: "&")
        let location = metadata.authorizationEndpoint + (metadata.authorizationEndpoint.contains("?") ? "&" : "?") + authorizationQuery
        var response = Response(status: .found, headers: [.location: location, .cacheControl: "no-store"])
        let secure = redirectURI.hasPrefix("https:") ? "; Secure" : ""
        response.headers[.setCookie] = "\(Self.cookieName)=\(binding); Path=\(Self.cookiePath); Max-Age=\(Int(Self.loginLifetime)); HttpOnly; SameSite=Lax\(secure)"
        return response
    }

    func callback(_ request: Request, _ context: KinoraRequestContext) async throws(OIDCError) -> Response {
        let (name, provider) = try self.provider(context)
        let query = request.uri.queryParameters
        // Taken first, whatever else the callback says: a state works once.
        let login: OIDCLoginRecord?
        do {
            login = try query.get("state").flatMap { try database.oidc.takeLogin(stateHash: Self.hash($0)) }
        } catch {
            throw .providerUnavailable("the login could not be read")
        }
        if let error = query.get("error") {
            throw .providerError(code: OIDCError.sanitized(error, limit: 64), description: query.get("error_description").map { OIDCError.sanitized($0) })
        }
        guard let login, login.provider == name else {
            throw .stateInvalid("the state is missing, unknown, expired (10 minutes) or already used")
        }
        guard let binding = Self.cookie(request), Self.hash(binding) == login.bindingHash else {
            throw .stateInvalid("this sign-on was started in another browser (the \(Self.cookieName) cookie set by start is missing or different)")
        }
        guard let code = query.get("code"), !code.isEmpty else { throw .badRequest("the callback has no code") }
        let token = try IDToken(try await provider.exchange(code: code, verifier: login.codeVerifier, redirectURI: login.redirectURI, logger: context.logger))
        try await provider.verifySignature(token)
        let issuer = try await provider.discover().issuer
        let claims = try token.verifyClaims(.init(issuer: issuer, clientID: provider.config.clientID, nonce: login.nonce))
        let (user, how) = try await account(for: claims, provider: provider.config)
        context.logger.info("oidc: signed in", metadata: ["provider": .string(name), "user": .string(user.id), "account": .string(how)])

        var response: Response
        do {
            if login.mode == "json" {
                response = try auth.issueTokens(for: user)
            } else {
                let code = try ExchangeCodes.issue(for: user.id, in: database)
                // In the fragment: browsers never send it to a server nor put it in a Referer.
                // Checked again: a login started before this check existed may hold any target.
                let back = SafeRedirect.path(login.returnTo, publicURL: publicURL) ?? "/"
                response = Response(status: .seeOther, headers: [.location: back + "#oidc_code=" + code, .cacheControl: "no-store"])
            }
        } catch {
            throw .providerUnavailable("the sign-in could not be recorded")
        }
        response.headers[.setCookie] = "\(Self.cookieName)=; Path=\(Self.cookiePath); Max-Age=0; HttpOnly; SameSite=Lax"
        return response
    }

    struct ExchangeBody: Decodable {
        var code: String?
    }

    func exchange(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        guard let code = try await request.decodeJSON(as: ExchangeBody.self).code, !code.isEmpty else {
            throw OIDCError.badRequest("send JSON with a \"code\" string")
        }
        return try auth.issueTokens(for: try ExchangeCodes.redeem(code, in: database))
    }

    /// Logs failures: the reason, never a code, token or secret.
    private func failing(_ context: KinoraRequestContext, _ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let error as OIDCError {
            context.logger.warning("oidc: \(error.description)", metadata: [
                "provider": .string(context.parameters.get("provider") ?? "-"), "problem": .string(error.problemType.rawValue),
            ])
            throw error
        }
    }

    private func provider(_ context: KinoraRequestContext) throws(OIDCError) -> (String, OIDCProvider) {
        let name = context.parameters.get("provider") ?? ""
        guard let provider = providers[name] else { throw .unknownProvider(OIDCError.sanitized(name, limit: 32)) }
        return (name, provider)
    }

    /// Where the provider sends the browser back: `[server] public_url`, else this request's Host.
    private func publicBase(_ request: Request) throws(OIDCError) -> String {
        if let publicURL { return publicURL }
        guard let host = request.head.authority, !host.isEmpty,
              host.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || ".-:[]".unicodeScalars.contains($0)) }) else {
            throw .badRequest("the Host header is missing or invalid (set [server] public_url)")
        }
        return "http://" + host
    }

    /// Only a path of this site (``SafeRedirect``), so the login can never send a browser
    /// (and its one-time code) elsewhere, directly or through the login page's own `next`.
    static func checkRedirect(_ path: String, publicURL: String?) throws(OIDCError) -> String {
        guard let safe = SafeRedirect.path(path, publicURL: publicURL) else {
            throw .badRedirect("redirect must be a path of this site starting with a single '/' (no scheme, host, '//', '\\', '#', "
                               + "spaces or control characters, also once percent-decoded, and the same for a next= inside it)")
        }
        return safe
    }

    static func cookie(_ request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == cookieName { return String(parts[1]) }
            }
        }
        return nil
    }

    static func hash(_ text: String) -> String { Secrets.hash(text) }
}
