import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

/// Reading request bodies and answering for the account routes.
enum AccountRequests {
    /// The account the caller acts as; the bootstrap token has none.
    static func account(_ context: KinoraRequestContext, database: KinoraDatabase) throws -> UserRecord {
        guard let principal = context.principal else { throw AccountError.needsCredentials("this route needs credentials") }
        return try SignIn.account(id: principal.userID, in: database)
    }

    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    /// The account as the admin routes show it.
    static func userObject(_ user: UserRecord) -> [String: Any] {
        [
            "id": user.id, "username": user.username, "display_name": user.displayName, "role": user.role,
            "disabled": user.disabled, "created_at": iso(user.createdAt),
        ]
    }

    static func noStore(_ response: Response) -> Response {
        var response = response
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
