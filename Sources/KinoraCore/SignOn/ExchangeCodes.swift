import Foundation
import KinoraStore

/// The one-time codes a browser's single sign-on ends with: the callback puts one in the
/// fragment of a same-site redirect, and the page trades it for tokens or a session.
public enum ExchangeCodes {
    /// A code lives this long.
    public static let lifetime: TimeInterval = 60

    /// A new code for `userID`; only its hash is stored.
    public static func issue(for userID: String, in database: KinoraDatabase, now: Date = Date()) throws -> String {
        let code = RandomID.make(bytes: 32)
        try database.oidc.addExchangeCode(hash: Secrets.hash(code), userID: userID, expiresAt: now.addingTimeInterval(lifetime))
        return code
    }

    /// Spends `code` and answers the enabled account it was issued for.
    public static func redeem(_ code: String, in database: KinoraDatabase) throws -> UserRecord {
        guard let id = try database.oidc.takeExchangeCode(hash: Secrets.hash(code)) else { throw OIDCError.codeInvalid }
        guard let user = try database.users.find(id: id), !user.disabled else { throw OIDCError.accountDisabled }
        return user
    }
}
