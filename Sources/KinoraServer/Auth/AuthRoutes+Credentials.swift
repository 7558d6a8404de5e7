import Foundation
import Hummingbird
import KinoraStore

extension AuthRoutes {
    /// The one credential check behind `POST /api/v1/auth/login` (tokens) and
    /// `POST /api/v1/auth/session` (cookie), so both answer alike: the throttle first (the
    /// attempt is reserved before any check), then the password (an unknown user costs a bcrypt
    /// check too), then the second factor. Wrong passwords and wrong second factors count as
    /// failures; a missing second factor does not.
    func checkCredentials(_ body: [String: Any], _ context: KinoraRequestContext) async throws -> UserRecord {
        guard let username = body["username"] as? String, let password = body["password"] as? String else {
            throw Problem(.badRequest, type: "bad-request", title: "Bad request", detail: "send JSON with \"username\" and \"password\" strings")
        }
        if body["totp"] != nil, !(body["totp"] is String) {
            throw Problem(.badRequest, type: "bad-request", title: "Bad request", detail: "\"totp\" must be a string")
        }
        let ticket = try await passwords.reserve(username: username, context)
        do {
            let user = try await verify(username: username, password: password, totp: body["totp"] as? String)
            await passwords.throttle.succeeded(ticket)
            return user
        } catch let failure as CountedFailure {
            await passwords.throttle.failed(ticket)
            throw failure.problem
        } catch {
            await passwords.throttle.release(ticket)
            throw error
        }
    }

    /// A refusal that was a guess: it stays counted in the throttle.
    struct CountedFailure: Error {
        let problem: Problem
    }

    private func verify(username: String, password: String, totp: String?) async throws -> UserRecord {
        let user = try database.users.find(username: username)
        let matches = try await Accounts.verify(password, hash: user?.passwordHash ?? Accounts.dummyHash)
        guard let user, matches, !user.disabled else {
            throw CountedFailure(problem: Problem(.unauthorized, type: "invalid-credentials", title: "Invalid credentials",
                                                  detail: "the username or the password is wrong"))
        }
        switch try twoFactor.verify(totp, userID: user.id) {
        case .notEnrolled, .accepted:
            return user
        case .required:
            throw Problem(.unauthorized, type: "totp-required", title: "Two-factor code required",
                          detail: "this account has two-factor authentication: send the authenticator's code (or a recovery code) as \"totp\"")
        case .rejected:
            throw CountedFailure(problem: Problem(.unauthorized, type: "invalid-totp", title: "Invalid two-factor code",
                                                  detail: "the code is wrong, expired or already used, or the recovery code is unknown or spent"))
        }
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
