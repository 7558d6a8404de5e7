import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

/// How access tokens are signed and how long they live; one per daemon.
struct AccessTokens: Sendable {
    let signer: JWTSigner
    let lifetime: Int
}

/// POST /api/v1/auth/login, /refresh, /logout and GET /api/v1/me.
struct AuthRoutes {
    let database: KinoraDatabase
    let tokens: AccessTokens
    let refreshLifetime: TimeInterval
    let twoFactor: TwoFactor
    /// The one throttle of every password and second-factor check.
    var passwords = PasswordChecks(throttle: LoginThrottle())

    var issuer: TokenIssuer {
        TokenIssuer(database: database, signer: tokens.signer, accessLifetime: tokens.lifetime, refreshLifetime: refreshLifetime)
    }

    var signIn: SignIn { SignIn(database: database, passwords: passwords, secondFactor: twoFactor) }

    struct RefreshBody: Decodable {
        var refreshToken: String?

        enum CodingKeys: String, CodingKey {
            case refreshToken = "refresh_token"
        }
    }

    func register(on router: Router<KinoraRequestContext>) {
        router.post("api/v1/auth/login") { request, context in
            let user = try await checkCredentials(try await request.decodeJSON(as: Credentials.self), context)
            return try issueTokens(for: user)
        }
        router.post("api/v1/auth/refresh") { request, context in
            try Self.tokenResponse(try issuer.refresh(try await Self.refreshToken(request), logger: context.logger))
        }
        router.post("api/v1/auth/logout") { request, context in
            try issuer.logout(try await Self.refreshToken(request), everywhere: request.uri.queryParameters.get("everywhere") == "true")
            return Response(status: .noContent)
        }
        router.get("api/v1/me") { _, context in
            guard let principal = context.principal else { throw AccountError.needsCredentials("this route needs an access token") }
            return try JSONResponse.make(.ok, try profile(try SignIn.account(id: principal.userID, in: database)))
        }
    }

    static func refreshToken(_ request: Request) async throws -> String {
        guard let token = try await request.decodeJSON(as: RefreshBody.self).refreshToken, !token.isEmpty else {
            throw AccountError.badRequest("send JSON with a \"refresh_token\" string")
        }
        return token
    }
}
