import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

/// Changing a password, and resetting it with a one-time token an admin hands out.
struct PasswordRoutes {
    let auth: AuthRoutes
    let changes: PasswordChanges
    let notifier: Notifier?
    let siteURL: String
    var database: KinoraDatabase { auth.database }

    init(auth: AuthRoutes, notifier: Notifier?, siteURL: String) {
        self.auth = auth
        self.notifier = notifier
        self.siteURL = siteURL
        changes = PasswordChanges(database: auth.database, passwords: auth.passwords)
    }

    struct ChangeBody: Decodable {
        var currentPassword: String
        var newPassword: String

        enum CodingKeys: String, CodingKey {
            case currentPassword = "current_password", newPassword = "new_password"
        }
    }

    struct ResetBody: Decodable {
        var token: String
        var newPassword: String

        enum CodingKeys: String, CodingKey {
            case token
            case newPassword = "new_password"
        }
    }

    func register(on router: Router<KinoraRequestContext>) {
        router.post("api/v1/me/password") { request, context in
            try Access.authenticated.check(context)
            return try await change(request, context)
        }
        router.post("api/v1/users/:id/password-reset") { _, context in
            try Access.admin.check(context)
            let user = try UserAdministration(database: database) {}.user(id: context.parameters.get("id") ?? "")
            let issued = try Accounts.issueResetToken(in: database, userID: user.id)
            context.logger.info("password reset token issued for \(user.username)")
            // The account's owner gets the link by mail too (security mail: never unsubscribed).
            // The token travels in the fragment, which no server log sees.
            do {
                try notifier?.passwordReset(
                    userID: user.id, resetURL: siteURL + "/reset-password#token=" + issued.token,
                    expiresMinutes: max(1, Int(issued.expiresAt.timeIntervalSinceNow / 60)), occurrence: Secrets.hash(issued.token))
            } catch {
                context.logger.error("could not queue the password reset mail: \(error)")
            }
            return AccountRequests.noStore(
                try JSONResponse.make(
                    .created,
                    [
                        "user_id": user.id, "username": user.username, "token": issued.token, "expires_at": AccountRequests.iso(issued.expiresAt),
                    ]))
        }
        router.post("api/v1/auth/password-reset") { request, context in
            try Access.anyone.check(context)
            let body = try await request.decodeJSON(as: ResetBody.self, emptyAsObject: true)
            let user = try await changes.reset(token: body.token, new: body.newPassword, address: context.clientAddress)
            context.logger.info("password reset for \(user.username); its refresh tokens, sessions and API keys are revoked")
            return Response(status: .noContent)
        }
    }

    /// Answers a fresh token pair, so a token client stays signed in; the caller's own browser
    /// session, when it is one, stays too.
    func change(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        let user = try AccountRequests.account(context, database: database)
        let body = try await request.decodeJSON(as: ChangeBody.self, emptyAsObject: true)
        try await changes.change(
            user, current: body.currentPassword, new: body.newPassword,
            keepingSession: context.sessionTokenHash, address: context.clientAddress)
        context.logger.info("password changed for \(user.username); its refresh tokens and other sessions are ended")
        return try auth.issueTokens(for: user)
    }
}
