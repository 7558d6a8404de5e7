import Foundation
import HTTPTypes
import Hummingbird
import KinoraCore
import KinoraStore

/// Browser sessions for the web UI: an HttpOnly, SameSite=Lax cookie holding 256 random bits,
/// stored server-side as its SHA-256, plus a CSRF token the page echoes in `X-CSRF-Token` on
/// every unsafe request. Bearer tokens never need the CSRF token: a browser does not attach
/// them on its own.
struct Sessions: Sendable {
    static let cookieName = "kinora_session"

    let database: KinoraDatabase
    /// A session unused for this long ends.
    let idle: TimeInterval
    /// A session ends this long after login, used or not.
    let lifetime: TimeInterval
    /// `[auth] cookie_secure`, or a `[server] public_url` with https: always mark the cookie Secure.
    let cookieSecure: Bool
    /// The origins accepted in `Origin`: the request's own and `[server] public_url`'s.
    let origins: SameOrigin
    /// Mails an account signed in from a browser it had not used; nil: nobody is told.
    let notifier: Notifier?

    init(
        database: KinoraDatabase, idle: TimeInterval, lifetime: TimeInterval, cookieSecure: Bool,
        trustedProxies: Set<String>, publicURL: String?, notifier: Notifier? = nil
    ) {
        self.database = database
        self.notifier = notifier
        self.idle = idle
        self.lifetime = lifetime
        origins = SameOrigin(publicURL: publicURL, trustedProxies: trustedProxies)
        self.cookieSecure = cookieSecure || origins.publicOrigin?.scheme == "https"
    }

    // MARK: Session rows

    var list: SessionList { SessionList(database: database, idle: idle) }

    /// Stores a new session; returns the cookie value and a CSRF token for the page.
    func start(userID: String, userAgent: String? = nil, address: String? = nil, now: Date = Date()) throws -> (token: String, csrf: String) {
        try list.start(userID: userID, lifetime: lifetime, userAgent: userAgent, address: address, notifier: notifier, now: now)
    }

    /// The live session named by the request's cookie, with its enabled account.
    func current(_ request: Request) throws -> (session: SessionRecord, user: UserRecord)? {
        guard let token = request.cookies[Self.cookieName]?.value, !token.isEmpty else { return nil }
        return try list.lookup(token: token)
    }

    // MARK: The cookie

    func cookie(_ token: String, _ request: Request, _ context: KinoraRequestContext) -> Cookie {
        Cookie(
            name: Self.cookieName, value: token, maxAge: Int(lifetime), path: "/",
            secure: isSecure(request, context), httpOnly: true, sameSite: .lax)
    }

    func expiredCookie(_ request: Request, _ context: KinoraRequestContext) -> Cookie {
        Cookie(name: Self.cookieName, value: "", maxAge: 0, path: "/", secure: isSecure(request, context), httpOnly: true, sameSite: .lax)
    }

    /// Secure when configured so (cookie_secure, or an https public URL), or when a trusted
    /// proxy says the browser spoke HTTPS.
    func isSecure(_ request: Request, _ context: KinoraRequestContext) -> Bool {
        cookieSecure || origins.viaHTTPSProxy(request, context)
    }

    // MARK: The middleware's part

    /// Called by ``AuthMiddleware`` for a request without `Authorization`. A live session
    /// sets the principal (with the account's current role); unsafe methods must then carry
    /// the CSRF token and no foreign `Origin`. A dead or forged cookie leaves the request
    /// anonymous and the response clears it.
    func authenticate(
        _ request: Request, _ context: KinoraRequestContext,
        next: (Request, KinoraRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let (session, user) = try current(request), let role = Role(rawValue: user.role) else {
            return try await clearingCookie(request, context) { try await next(request, context) }
        }
        if !Self.isSafe(request.method) {
            try checkOrigin(request, context)
            guard let presented = request.headers[.csrfToken], Secrets.csrfMatches(presented, secret: session.csrfToken) else {
                throw Self.csrfFailed("a request authenticated by the session cookie must send the session's CSRF token in X-CSRF-Token")
            }
        }
        var context = context
        context.principal = .user(id: user.id, role: role)
        context.sessionTokenHash = session.tokenHash
        return try await next(request, context)
    }

    /// Runs `body`, then expires the cookie on its response or error, unless the response
    /// sets a new session cookie itself (a login).
    func clearingCookie(_ request: Request, _ context: KinoraRequestContext, _ body: () async throws -> Response) async throws -> Response {
        let expired = expiredCookie(request, context).description
        do {
            var response = try await body()
            if !response.headers[values: .setCookie].contains(where: { $0.hasPrefix(Self.cookieName + "=") }) {
                response.headers.append(HTTPField(name: .setCookie, value: expired))
            }
            return response
        } catch var problem as Problem {
            problem.headers.append(HTTPField(name: .setCookie, value: expired))
            throw problem
        } catch let error as any DomainError {
            var problem = Problem(error)
            problem.headers.append(HTTPField(name: .setCookie, value: expired))
            throw problem
        }
    }

    /// Belt and braces beside SameSite and the CSRF token: a browser names the page's origin
    /// on cross-site requests, and it must be this server's (scheme, host and port).
    func checkOrigin(_ request: Request, _ context: KinoraRequestContext) throws {
        guard let origin = request.headers[.origin] else { return }
        guard origins.accepts(origin, request, context) else {
            throw Self.csrfFailed("the request's Origin (\(origin.prefix(200))) is not this server's")
        }
    }

    /// A new session is only started by this server's own pages: otherwise a cross-site form
    /// could sign the victim's browser in to the attacker's account (login CSRF). The body must
    /// be JSON, which a form cannot send without CORS, and a browser's `Sec-Fetch-Site` and
    /// `Origin` must say same-origin. Clients that send neither header (scripts, apps) pass.
    func checkLoginRequest(_ request: Request, _ context: KinoraRequestContext) throws {
        if let site = request.headers[.secFetchSite]?.lowercased(), site != "same-origin", site != "none" {
            throw Self.csrfFailed("a session is started only from this server's own pages (Sec-Fetch-Site: \(site.prefix(32)))")
        }
        try checkOrigin(request, context)
        let mediaType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == "application/json" else {
            throw Problem(.unsupportedMediaType, detail: "send the credentials as Content-Type: application/json", title: "JSON required")
        }
    }

    static func isSafe(_ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head || method == .options || method == .trace
    }

    static func csrfFailed(_ detail: String) -> Problem {
        Problem(.csrfFailed, detail: detail)
    }
}

extension HTTPField.Name {
    // Valid header names: the initialisers cannot fail.
    static let csrfToken = HTTPField.Name("X-CSRF-Token")!
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
}
