import Foundation
import Hummingbird
import KinoraStore

/// Signs and checks access tokens; one per daemon.
struct AccessTokens: Sendable {
    let signer: JWTSigner
    let lifetime: Int

    func issue(for user: UserRecord, now: Date = Date()) throws -> String {
        let iat = Int(now.timeIntervalSince1970)
        return try signer.sign(.init(sub: user.id, role: user.role, iat: iat, exp: iat + lifetime, jti: RandomID.make(bytes: 10)))
    }
}

/// POST /api/v1/auth/login, /refresh, /logout and GET /api/v1/me.
struct AuthRoutes {
    let database: KinoraDatabase
    let tokens: AccessTokens
    let refreshLifetime: TimeInterval
    let twoFactor: TwoFactor
    /// The one throttle of every password and second-factor check.
    var passwords = PasswordChecks(throttle: LoginThrottle())

    func register(on router: Router<KinoraRequestContext>) {
        router.post("api/v1/auth/login") { request, context in try await login(request, context) }
        router.post("api/v1/auth/refresh") { request, context in try await refresh(request, context) }
        router.post("api/v1/auth/logout") { request, context in try await logout(request, context) }
        router.get("api/v1/me") { _, context in try me(context) }
    }

    func login(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        let user = try await checkCredentials(try await Self.jsonBody(request, context), context)
        return try issueTokens(for: user)
    }

    func refresh(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        let presented = try await Self.refreshToken(request, context)
        let next = Accounts.newRefreshToken()
        switch try database.users.rotate(hash: Accounts.hashRefreshToken(presented), nextHash: next.hash,
                                         expiresAt: Date().addingTimeInterval(refreshLifetime)) {
        case .rotated(let user, _):
            return try tokenResponse(user: user, refreshToken: next.token)
        case .reused:
            context.logger.warning("a used refresh token was presented again; its family is revoked")
            throw Self.invalidRefresh
        case .invalid:
            throw Self.invalidRefresh
        }
    }

    func logout(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        let presented = try await Self.refreshToken(request, context)
        guard let token = try database.users.refreshToken(hash: Accounts.hashRefreshToken(presented)) else { throw Self.invalidRefresh }
        if request.uri.queryParameters.get("everywhere") == "true" {
            try database.users.revokeAll(userID: token.userID)
            try database.sessions.deleteAll(userID: token.userID)
        } else {
            try database.users.revokeFamily(token.familyID)
        }
        return Response(status: .noContent)
    }

    func me(_ context: KinoraRequestContext) throws -> Response {
        guard let principal = context.principal else { throw Problem.unauthorized("this route needs an access token") }
        guard let id = principal.userID else {
            throw Problem(.notFound, type: "no-account", title: "No account", detail: "the bootstrap admin token belongs to no account")
        }
        guard let user = try database.users.find(id: id), !user.disabled else { throw Problem.unauthorized("the account no longer exists") }
        return try JSONResponse.make(.ok, try profile(user))
    }

    func tokenResponse(user: UserRecord, refreshToken: String, status: HTTPResponse.Status = .ok) throws -> Response {
        var response = try JSONResponse.make(status, [
            "access_token": try tokens.issue(for: user), "refresh_token": refreshToken,
            "expires_in": tokens.lifetime, "token_type": "Bearer",
        ])
        response.headers[.cacheControl] = "no-store"
        return response
    }

    static let invalidRefresh = Problem(.unauthorized, type: "invalid-refresh-token", title: "Invalid refresh token",
                                        detail: "the refresh token is unknown, expired, revoked or already used")

    static func refreshToken(_ request: Request, _ context: KinoraRequestContext) async throws -> String {
        guard let token = try await jsonBody(request, context)["refresh_token"] as? String, !token.isEmpty else {
            throw Problem(.badRequest, type: "bad-request", title: "Bad request", detail: "send JSON with a \"refresh_token\" string")
        }
        return token
    }

    static func jsonBody(_ request: Request, _ context: KinoraRequestContext) async throws -> [String: Any] {
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any] else {
            throw Problem(.badRequest, type: "bad-request", title: "Bad request", detail: "the body must be a JSON object")
        }
        return object
    }
}
