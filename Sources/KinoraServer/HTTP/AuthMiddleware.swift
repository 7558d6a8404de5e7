import Hummingbird
import KinoraCore

/// Reads credentials and sets the context's principal: `Authorization: Bearer` with either the
/// bootstrap admin token or an account's JWT access token; without it, the web UI's session
/// cookie (see ``Sessions``). Whatever the credential, the account must still exist and be
/// enabled (``AccountStates``), and it acts with its current role. Rejecting is each route's
/// decision, through ``Access``; credentials that are present but wrong answer 401 here.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = KinoraRequestContext
    let bootstrapToken: BootstrapToken
    let signer: JWTSigner
    /// `X-API-Key` or `Bearer knk_…`: checked first, in a file of its own.
    let apiKeys: APIKeyAuthenticator
    let sessions: Sessions
    let accounts: AccountStates

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let key = APIKeyAuthenticator.presentedKey(request) {
            try apiKeys.authenticate(key, request, &context)
        } else if let header = request.headers[.authorization] {
            guard header.count > 7, header.prefix(7).lowercased() == "bearer " else {
                throw Problem.unauthorized("Authorization must be \"Bearer <token>\"")
            }
            let token = String(header.dropFirst(7))
            if bootstrapToken.matches(token) {
                try bootstrapToken.checkNotRetired()
                context.principal = .bootstrapAdmin
            } else if token.contains(".") {
                context.principal = try principal(fromJWT: token)
            } else {
                throw Problem.unauthorized("the bearer token is not valid")
            }
        } else if request.cookies[Sessions.cookieName] != nil {
            return try await sessions.authenticate(request, context) { request, context in
                var context = context
                context.principal = try accounts.check(context.principal)
                return try await next(request, context)
            }
        }
        context.principal = try accounts.check(context.principal)
        return try await next(request, context)
    }

    func principal(fromJWT token: String) throws -> Principal {
        let claims: JWTSigner.Claims
        do {
            claims = try signer.verify(token)
        } catch JWTSigner.Failure.expired {
            throw Problem(
                .tokenExpired,
                detail: "the access token has expired; get a new one from POST /api/v1/auth/refresh")
        } catch {
            throw Problem.unauthorized("the bearer token is not valid")
        }
        guard let role = Role(rawValue: claims.role) else { throw Problem.unauthorized("the access token names no known role") }
        return .user(id: claims.sub, role: role)
    }
}

/// Who may call a route. Every route declares one.
enum Access {
    case anyone
    /// Any signed-in account (or the bootstrap token).
    case authenticated
    /// The bootstrap token and accounts with one of these roles.
    case roles(Set<Role>)

    static let admin = Access.roles([.admin])

    func check(_ context: KinoraRequestContext) throws {
        switch self {
        case .anyone: return
        case .authenticated:
            guard context.principal != nil else { throw Problem.unauthorized("this route needs credentials") }
        case .roles(let roles):
            guard let principal = context.principal else {
                throw Problem.unauthorized(roles == [.admin] ? "this route needs an admin's credentials" : "this route needs credentials")
            }
            if principal == .bootstrapAdmin { return }
            guard let role = principal.role, roles.contains(role) else {
                throw Problem.forbidden(roles == [.admin] ? "this route is for admins only" : "your role may not call this route")
            }
        }
    }
}
