import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

extension AuthRoutes {
    /// A password sign-in's body (`POST /auth/login`, and `POST /auth/session` without `oidc_code`).
    struct Credentials: Decodable {
        var username: String?
        var password: String?
        var totp: String?
        var oidcCode: String?

        enum CodingKeys: String, CodingKey {
            case username, password, totp
            case oidcCode = "oidc_code"
        }
    }

    /// The one credential check of both sign-ins (tokens and cookie), so both answer alike.
    func checkCredentials(_ body: Credentials, _ context: KinoraRequestContext) async throws -> UserRecord {
        guard let username = body.username, let password = body.password else {
            throw AccountError.badRequest("send JSON with \"username\" and \"password\" strings")
        }
        return try await signIn.checkCredentials(username: username, password: password, totp: body.totp, address: context.clientAddress)
    }

    /// The account as `GET /api/v1/me` and the session routes show it.
    func profile(_ user: UserRecord) throws -> [String: Any] {
        let email = try database.users.email(id: user.id)
        let links = try database.oidc.links(userID: user.id).map {
            ["provider": $0.provider, "linked_at": ISO8601DateFormatter().string(from: $0.createdAt)]
        }
        return [
            "id": user.id, "username": user.username, "display_name": user.displayName, "role": user.role,
            "created_at": ISO8601DateFormatter().string(from: user.createdAt),
            "totp_enabled": try database.totp.isEnabled(userID: user.id),
            "email": email?.address ?? NSNull(), "email_verified": email?.verified ?? false, "linked_providers": links,
        ]
    }
}
