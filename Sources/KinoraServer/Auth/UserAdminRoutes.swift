import Foundation
import Hummingbird
import KinoraStore

/// `/api/v1/users` (admin): list, show and change accounts.
struct UserAdminRoutes {
    let database: KinoraDatabase
    let bootstrap: BootstrapToken

    struct PatchBody: Decodable {
        var role: String?
        var disabled: Bool?
        var displayName: String?

        enum CodingKeys: String, CodingKey {
            case role, disabled
            case displayName = "display_name"
        }
    }

    func register(on router: Router<KinoraRequestContext>) {
        router.get("api/v1/users") { request, context in
            try Access.admin.check(context)
            return try list(request)
        }
        router.get("api/v1/users/:id") { _, context in
            try Access.admin.check(context)
            return try JSONResponse.make(.ok, AccountRequests.userObject(try user(context)))
        }
        router.patch("api/v1/users/:id") { request, context in
            try Access.admin.check(context)
            return try await patch(request, context)
        }
    }

    func user(_ context: KinoraRequestContext) throws -> UserRecord {
        let id = context.parameters.get("id") ?? ""
        guard let user = try database.users.find(id: id) else { throw Problem.notFound("no user \(id.prefix(64))") }
        return user
    }

    func list(_ request: Request) throws -> Response {
        let query = request.uri.queryParameters
        let limit = min(max(query.get("limit", as: Int.self) ?? 50, 1), 200)
        let role = query.get("role")
        if let role, Role(rawValue: role) == nil {
            throw AccountRequests.badRequest("role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))", field: "role")
        }
        let page = try database.users.list(role: role, limit: limit, cursor: query.get("cursor"))
        return try JSONResponse.make(.ok, ["items": page.users.map(AccountRequests.userObject), "next_cursor": page.nextCursor.map { $0 as Any } ?? NSNull()])
    }

    func patch(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        let target = try user(context)
        let body = try await AccountRequests.decode(PatchBody.self, request)
        if let role = body.role, Role(rawValue: role) == nil {
            throw AccountRequests.invalid("role", "role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let changes = UserChanges(role: body.role, disabled: body.disabled,
                                  displayName: try body.displayName.map(AccountRequests.checkDisplayName))
        let updated: UserRecord
        do {
            guard let user = try database.users.update(id: target.id, changes) else { throw Problem.notFound("no user \(target.id)") }
            updated = user
        } catch let error as LastAdmin {
            throw Problem(.conflict, type: "last-admin", title: "Last admin", detail: error.description)
        }
        if updated.role == Role.admin.rawValue, !updated.disabled { bootstrap.retirement?.retire() }
        context.logger.info("account \(updated.username) changed: role \(updated.role), disabled \(updated.disabled)")
        return try JSONResponse.make(.ok, AccountRequests.userObject(updated))
    }
}
