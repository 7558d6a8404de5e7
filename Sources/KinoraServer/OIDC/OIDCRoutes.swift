import Foundation
import Hummingbird
import KinoraConfiguration
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
    let signOn: SingleSignOn
    /// `[server] public_url`; without it the callback URL is built from the Host header.
    let publicURL: String?

    init(database: KinoraDatabase, auth: AuthRoutes, configs: [OIDCProviderConfig], publicURL: String?, reservedHandles: Set<String> = []) {
        self.database = database
        self.auth = auth
        signOn = SingleSignOn(database: database, configs: configs, reservedHandles: reservedHandles)
        self.publicURL = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    static let cookieName = "kinora_oidc"
    static let cookiePath = "/api/v1/auth/oidc/"

    func register(on router: Router<KinoraRequestContext>) {
        router.get("api/v1/auth/oidc/providers") { _, context in
            try Access.anyone.check(context)
            let items: [[String: Any]] = signOn.providerList.map {
                ["name": $0.name, "display_name": $0.displayName, "start": "/api/v1/auth/oidc/\($0.name)/start"]
            }
            return try JSONResponse.make(.ok, ["items": items])
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

    func start(_ request: Request, _ context: KinoraRequestContext) async throws(OIDCError) -> Response {
        let name = context.parameters.get("provider") ?? ""
        try signOn.checkProvider(name)
        let query = request.uri.queryParameters
        let returnTo = try Self.checkRedirect(query.get("redirect") ?? "/", publicURL: publicURL)
        let started = try await signOn.start(
            provider: name, returnTo: returnTo, mode: query.get("mode") ?? "redirect",
            callbackBase: { () throws(OIDCError) -> String in try publicBase(request) },
            binding: Self.cookie(request))
        var response = Response(status: .found, headers: [.location: started.location, .cacheControl: "no-store"])
        let secure = started.redirectURI.hasPrefix("https:") ? "; Secure" : ""
        response.headers[.setCookie] =
            "\(Self.cookieName)=\(started.binding); Path=\(Self.cookiePath); Max-Age=\(Int(SingleSignOn.loginLifetime)); HttpOnly; SameSite=Lax\(secure)"
        return response
    }

    func callback(_ request: Request, _ context: KinoraRequestContext) async throws(OIDCError) -> Response {
        let name = context.parameters.get("provider") ?? ""
        let query = request.uri.queryParameters
        let signedOn = try await signOn.finish(
            provider: name, state: query.get("state"), error: query.get("error"),
            errorDescription: query.get("error_description"), code: query.get("code"),
            binding: Self.cookie(request), logger: context.logger)
        let user = signedOn.user
        context.logger.info("oidc: signed in", metadata: ["provider": .string(name), "user": .string(user.id), "account": .string(signedOn.how)])

        var response: Response
        do {
            if signedOn.mode == "json" {
                response = try auth.issueTokens(for: user)
            } else {
                let code = try ExchangeCodes.issue(for: user.id, in: database)
                // In the fragment: browsers never send it to a server nor put it in a Referer.
                // Checked again: a login started before this check existed may hold any target.
                let back = SafeRedirect.path(signedOn.returnTo, publicURL: publicURL) ?? "/"
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
            context.logger.warning(
                "oidc: \(error.description)",
                metadata: [
                    "provider": .string(context.parameters.get("provider") ?? "-"), "problem": .string(error.problemType.rawValue),
                ])
            throw error
        }
    }

    /// Where the provider sends the browser back: `[server] public_url`, else this request's Host.
    private func publicBase(_ request: Request) throws(OIDCError) -> String {
        if let publicURL { return publicURL }
        guard let host = request.head.authority, !host.isEmpty,
            host.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || ".-:[]".unicodeScalars.contains($0)) })
        else {
            throw .badRequest("the Host header is missing or invalid (set [server] public_url)")
        }
        return "http://" + host
    }

    /// Only a path of this site (``SafeRedirect``), so the login can never send a browser
    /// (and its one-time code) elsewhere, directly or through the login page's own `next`.
    static func checkRedirect(_ path: String, publicURL: String?) throws(OIDCError) -> String {
        guard let safe = SafeRedirect.path(path, publicURL: publicURL) else {
            throw .badRedirect(
                "redirect must be a path of this site starting with a single '/' (no scheme, host, '//', '\\', '#', "
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
}
