import Foundation
import Hummingbird
import KinoraHost
import KinoraStore

/// `DELETE /api/v1/me` (with the password) and `DELETE /api/v1/users/{id}` (admins).
struct AccountRoutes {
    let database: KinoraDatabase
    let deletion: AccountDeletion
    let passwords: PasswordChecks

    func register(on router: Router<KinoraRequestContext>) {
        router.delete("api/v1/me") { request, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let body = try await SocialHTTP.members(request)
            guard let password = body["password"]?.stringValue else {
                throw Problem(.badRequest, type: "bad-request", title: "Bad request", detail: "send JSON with the account's \"password\"")
            }
            // A stolen access token alone must not be enough to delete the account; guesses
            // count in the one password throttle, so this route is no password oracle.
            guard let user = try database.users.find(id: me.id) else { throw Problem.unauthorized("the account no longer exists") }
            try await passwords.confirm(password, of: user, context, wrong: Problem(
                .forbidden, type: "invalid-password", title: "Wrong password", detail: "the password is wrong; deleting the account needs its current password"))
            try await delete(me.id, context)
            return Response(status: .noContent)
        }
        router.delete("api/v1/users/:id") { _, context in
            try Access.admin.check(context)
            let id = context.parameters.get("id") ?? ""
            guard id.count <= 64, try database.users.find(id: id) != nil else { throw Problem.notFound("no user \(id.prefix(64))") }
            try await delete(id, context)
            return Response(status: .noContent)
        }
    }

    func delete(_ userID: String, _ context: KinoraRequestContext) async throws {
        do {
            _ = try await deletion.delete(userID: userID, requestID: context.requestID)
        } catch is LastAdmin {
            throw Problem(.conflict, type: "last-admin", title: "Last admin", detail: "the last enabled admin account cannot be deleted; make another admin first")
        }
        context.logger.info("account deleted", metadata: ["user": .string(userID)])
    }
}
