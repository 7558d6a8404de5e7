import Hummingbird

/// Reads credentials (for now the bootstrap admin token as `Authorization: Bearer`) and sets
/// the context's principal. Rejecting is each route's decision, through ``Access``.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = KinoraRequestContext
    let bootstrapToken: BootstrapToken

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization] {
            guard header.count > 7, header.prefix(7).lowercased() == "bearer " else {
                throw Problem.unauthorized("Authorization must be \"Bearer <token>\"")
            }
            guard bootstrapToken.matches(String(header.dropFirst(7))) else {
                throw Problem.unauthorized("the bearer token is not valid")
            }
            context.principal = .bootstrapAdmin
        }
        return try await next(request, context)
    }
}

/// Who may call a route. Every route declares one.
enum Access {
    case anyone
    case admin

    func check(_ context: KinoraRequestContext) throws {
        switch self {
        case .anyone: return
        case .admin:
            guard let principal = context.principal else {
                throw Problem.unauthorized("this route needs an admin's credentials")
            }
            guard principal.isAdmin else { throw Problem.forbidden("this route is for admins only") }
        }
    }
}
