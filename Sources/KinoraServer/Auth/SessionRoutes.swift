import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

/// POST, GET and DELETE /api/v1/auth/session: the web UI's login, reload and logout.
struct SessionRoutes {
    let auth: AuthRoutes
    let sessions: Sessions

    func register(on router: Router<KinoraRequestContext>) {
        router.post("api/v1/auth/session") { request, context in
            try Access.anyone.check(context)
            return try await login(request, context)
        }
        router.get("api/v1/auth/session") { request, context in
            try Access.authenticated.check(context)
            return try show(request, context)
        }
        router.delete("api/v1/auth/session") { request, context in
            try Access.anyone.check(context)
            return try logout(request, context)
        }
    }

    /// The same checks as POST /auth/login; answers the account and the CSRF token, and sets
    /// the cookie. A session the browser still held is ended: one login, one session.
    /// `{"oidc_code"}` instead of a password ends a single sign-on in a browser: the one-time
    /// code from the callback's fragment, as `POST /auth/oidc/exchange` takes it.
    func login(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        try sessions.checkLoginRequest(request, context)
        let body = try await request.decodeJSON(as: AuthRoutes.Credentials.self)
        let user: UserRecord
        if let code = body.oidcCode {
            user = try oidcAccount(code)
        } else {
            user = try await auth.checkCredentials(body, context)
        }
        if let old = request.cookies[Sessions.cookieName]?.value, !old.isEmpty {
            try auth.database.sessions.delete(hash: Secrets.hash(old))
        }
        let started = try sessions.start(userID: user.id, userAgent: request.headers[.userAgent], address: context.clientAddress)
        var response = try answer(user, csrf: started.csrf)
        response.setCookie(sessions.cookie(started.token, request, context))
        return response
    }

    func oidcAccount(_ code: String) throws -> UserRecord {
        guard !code.isEmpty else { throw AccountError.badRequest("\"oidc_code\" must be a non-empty string") }
        return try ExchangeCodes.redeem(code, in: auth.database)
    }

    /// For a page reload: the account and a fresh CSRF token. Tokens handed out earlier stay
    /// valid for the session's life, so several open tabs keep working.
    func show(_ request: Request, _ context: KinoraRequestContext) throws -> Response {
        guard let (session, user) = try sessions.current(request) else {
            throw AccountError.noSession
        }
        return try answer(user, csrf: Secrets.maskCSRF(session.csrfToken))
    }

    /// Ends the session (and with `?everywhere=true` every session and refresh token of the
    /// account) and expires the cookie. Without a live session there is nothing to end: 204.
    func logout(_ request: Request, _ context: KinoraRequestContext) throws -> Response {
        if let (session, _) = try sessions.current(request) {
            try sessions.list.signOut(session, everywhere: request.uri.queryParameters.get("everywhere") == "true")
        }
        var response = Response(status: .noContent)
        response.setCookie(sessions.expiredCookie(request, context))
        return response
    }

    func answer(_ user: UserRecord, csrf: String) throws -> Response {
        var response = try JSONResponse.make(.ok, ["user": try auth.profile(user), "csrf_token": csrf])
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
