import Foundation
import Hummingbird
import KinoraStore

/// Changing a password, and resetting it with a one-time token an admin hands out.
struct PasswordRoutes {
    let auth: AuthRoutes
    /// Bad reset tokens per address (wrong current passwords count in ``PasswordChecks``).
    let throttle = AttemptWindow(limit: 10, window: 15 * 60)
    var database: KinoraDatabase { auth.database }

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
            let id = context.parameters.get("id") ?? ""
            guard let user = try database.users.find(id: id) else { throw Problem.notFound("no user \(id.prefix(64))") }
            let issued = try Accounts.issueResetToken(in: database, userID: user.id)
            context.logger.info("password reset token issued for \(user.username)")
            return AccountRequests.noStore(try JSONResponse.make(.created, [
                "user_id": user.id, "username": user.username, "token": issued.token, "expires_at": AccountRequests.iso(issued.expiresAt),
            ]))
        }
        router.post("api/v1/auth/password-reset") { request, context in
            try Access.anyone.check(context)
            return try await reset(request, context)
        }
    }

    /// Checks the current password (in the one password throttle), sets the new one, and ends
    /// every other way into the account: every refresh token and every browser session but
    /// the caller's own (when the caller is one). Answers a fresh token pair, so a token
    /// client stays signed in too. API keys stay: they are listed in the settings, each
    /// revocable, and made on purpose by the owner.
    func change(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        let user = try AccountRequests.account(context, database: database)
        let body = try await AccountRequests.decode(ChangeBody.self, request)
        try await auth.passwords.confirm(body.currentPassword, of: user, context, wrong: Problem(
            .forbidden, type: "wrong-password", title: "Wrong password",
            detail: "current_password is not the account's password", extra: ["field": "current_password"]))
        try AccountRequests.checkPassword(body.newPassword, username: user.username, field: "new_password")
        try database.users.setPassword(id: user.id, hash: try await Accounts.hash(body.newPassword), keepingSession: context.sessionTokenHash)
        context.logger.info("password changed for \(user.username); its refresh tokens and other sessions are ended")
        return try auth.newSession(for: user)
    }

    func reset(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        let body = try await AccountRequests.decode(ResetBody.self, request)
        let key = ["reset:" + context.clientAddress]
        if let wait = await throttle.retryAfter(key) { throw Self.tooMany(wait) }
        let hash = Accounts.hashSecret(body.token)
        // The owner is looked up first only to check the policy (the password must not be the
        // username); the token is spent in the transaction that sets the password.
        guard let owner = try database.passwordResets.owner(tokenHash: hash) else {
            await throttle.record(key)
            throw Self.invalidToken
        }
        try AccountRequests.checkPassword(body.newPassword, username: owner.username, field: "new_password")
        guard let user = try database.passwordResets.redeem(tokenHash: hash, newPasswordHash: try await Accounts.hash(body.newPassword)) else {
            throw Self.invalidToken
        }
        context.logger.info("password reset for \(user.username); its refresh tokens, sessions and API keys are revoked")
        return Response(status: .noContent)
    }

    static let invalidToken = Problem(.unauthorized, type: "invalid-reset-token", title: "Invalid reset token",
                                      detail: "the reset token is unknown, used or expired; ask an admin for a new one")

    static func tooMany(_ wait: Int) -> Problem {
        var problem = Problem(.tooManyRequests, type: "too-many-attempts", title: "Too many attempts",
                              detail: "too many bad reset tokens from this address; try again in \(wait) s")
        problem.headers[.retryAfter] = String(wait)
        return problem
    }
}
