import Foundation
import Hummingbird
import KinoraCore
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

    var administration: UserAdministration {
        UserAdministration(database: database) { [retirement = bootstrap.retirement] in retirement?.retire() }
    }

    func register(on router: Router<KinoraRequestContext>) {
        router.get("api/v1/users") { request, context in
            try Access.admin.check(context)
            let query = request.uri.queryParameters
            let page = try administration.list(role: query.get("role"), limit: query.get("limit", as: Int.self), cursor: query.get("cursor"))
            return try JSONResponse.make(
                .ok, ["items": page.users.map(AccountRequests.userObject), "next_cursor": page.nextCursor.map { $0 as Any } ?? NSNull()])
        }
        router.get("api/v1/users/:id") { _, context in
            try Access.admin.check(context)
            return try JSONResponse.make(.ok, AccountRequests.userObject(try administration.user(id: context.parameters.get("id") ?? "")))
        }
        router.patch("api/v1/users/:id") { request, context in
            try Access.admin.check(context)
            let target = try administration.user(id: context.parameters.get("id") ?? "")
            let body = try await request.decodeJSON(as: PatchBody.self, emptyAsObject: true)
            let updated = try administration.update(target, role: body.role, disabled: body.disabled, displayName: body.displayName)
            context.logger.info("account \(updated.username) changed: role \(updated.role), disabled \(updated.disabled)")
            return try JSONResponse.make(.ok, AccountRequests.userObject(updated))
        }
    }
}
