import Foundation
import Hummingbird
import KinoraCore
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
            guard let password = try await request.decodeJSON(as: TOTPRoutes.PasswordBody.self).password else {
                throw AccountError.badRequest("send JSON with the account's \"password\"")
            }
            // A stolen access token alone must not be enough to delete the account; guesses
            // count in the one password throttle, so this route is no password oracle.
            guard let user = try database.users.find(id: me.id) else { throw AccountError.accountNoLongerExists }
            try await passwords.confirm(
                password, of: user, address: context.clientAddress,
                wrong: .invalidPassword(detail: "the password is wrong; deleting the account needs its current password"))
            try await delete(me.id, context)
            return Response(status: .noContent)
        }
        router.delete("api/v1/users/:id") { _, context in
            try Access.admin.check(context)
            let id = context.parameters.get("id") ?? ""
            guard id.count <= 64, try database.users.find(id: id) != nil else { throw AccountError.notFound("no user \(id.prefix(64))") }
            try await delete(id, context)
            return Response(status: .noContent)
        }
    }

    func delete(_ userID: String, _ context: KinoraRequestContext) async throws {
        do {
            _ = try await deletion.delete(userID: userID, requestID: context.requestID)
        } catch is LastAdmin {
            throw AccountError.lastAdmin("the last enabled admin account cannot be deleted; make another admin first")
        }
        context.logger.info("account deleted", metadata: ["user": .string(userID)])
    }
}
