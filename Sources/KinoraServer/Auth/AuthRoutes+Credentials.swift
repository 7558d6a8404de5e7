import Foundation
import Hummingbird
import KinoraStore

extension AuthRoutes {
    /// The one credential check behind `POST /api/v1/auth/login` (tokens) and
    /// `POST /api/v1/auth/session` (cookie), so both answer alike: the throttle first, then
    /// the password (an unknown user costs a bcrypt check too), then the second factor.
    /// Wrong passwords and wrong second factors count as failures; a missing one does not,
    /// and nothing clears the account's count but a complete login.
    func checkCredentials(_ body: [String: Any], _ context: KinoraRequestContext) async throws -> UserRecord {
        guard let username = body["username"] as? String, let password = body["password"] as? String else {
            throw Problem(.badRequest, type: "bad-request", title: "Bad request", detail: "send JSON with \"username\" and \"password\" strings")
        }
        if body["totp"] != nil, !(body["totp"] is String) {
            throw Problem(.badRequest, type: "bad-request", title: "Bad request", detail: "\"totp\" must be a string")
        }
        let keys = ["account:" + username.lowercased(), "address:" + context.clientAddress]
        try await checkThrottle(keys)
        let user = try database.users.find(username: username)
        let matches = try await Accounts.verify(password, hash: user?.passwordHash ?? Accounts.dummyHash)
        guard let user, matches, !user.disabled else {
            await throttle.recordFailure(keys)
            throw Problem(.unauthorized, type: "invalid-credentials", title: "Invalid credentials",
                          detail: "the username or the password is wrong")
        }
        switch try twoFactor.verify(body["totp"] as? String, userID: user.id) {
        case .notEnrolled, .accepted:
            break
        case .required:
            throw Problem(.unauthorized, type: "totp-required", title: "Two-factor code required",
                          detail: "this account has two-factor authentication: send the authenticator's code (or a recovery code) as \"totp\"")
        case .rejected:
            await throttle.recordFailure(keys)
            throw Problem(.unauthorized, type: "invalid-totp", title: "Invalid two-factor code",
                          detail: "the code is wrong, expired or already used, or the recovery code is unknown or spent")
        }
        await throttle.clear(keys[0])
        return user
    }

    /// 429 with Retry-After while any of `keys` has too many recent failures.
    func checkThrottle(_ keys: [String]) async throws {
        guard let wait = await throttle.retryAfter(keys) else { return }
        var problem = Problem(.tooManyRequests, type: "too-many-attempts", title: "Too many failed logins",
                              detail: "too many failed logins for this account or address; try again in \(wait) s")
        problem.headers[.retryAfter] = String(wait)
        throw problem
    }

    /// The account as `GET /api/v1/me` and the session routes show it.
    func profile(_ user: UserRecord) throws -> [String: Any] {
        let email = try database.users.email(id: user.id)
        let links = try database.oidc.links(userID: user.id).map { ["provider": $0.provider, "linked_at": ISO8601DateFormatter().string(from: $0.createdAt)] }
        return [
            "id": user.id, "username": user.username, "display_name": user.displayName, "role": user.role,
            "created_at": ISO8601DateFormatter().string(from: user.createdAt),
            "totp_enabled": try database.totp.isEnabled(userID: user.id),
            "email": email?.address ?? NSNull(), "email_verified": email?.verified ?? false, "linked_providers": links,
        ]
    }
}
