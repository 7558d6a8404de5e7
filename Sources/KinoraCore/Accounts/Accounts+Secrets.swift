import Foundation
import HummingbirdBcrypt
import KinoraStore

/// Secrets handed out once and kept only as hashes: invitation codes, reset tokens, API keys.
extension Accounts {
    /// A password reset token lives this long.
    public static let resetTokenLifetime: TimeInterval = 3600

    /// Makes a one-time reset token for the account (valid ``resetTokenLifetime``); any earlier
    /// one stops working. Shown to an admin until notifications can deliver it.
    public static func issueResetToken(in database: KinoraDatabase, userID: String, now: Date = Date()) throws -> (token: String, expiresAt: Date) {
        let secret = Secrets.newToken()
        let expiresAt = Date(timeIntervalSince1970: (now.timeIntervalSince1970 + resetTokenLifetime).rounded(.down))
        try database.passwordResets.issue(userID: userID, tokenHash: secret.hash, expiresAt: expiresAt, now: now)
        return (secret.token, expiresAt)
    }

    /// Sets a new password (policy checked, bcrypt) and revokes every refresh token of the account.
    public static func setPassword(in database: KinoraDatabase, user: UserRecord, password: String) throws {
        try checkPassword(password, username: user.username)
        try database.users.setPassword(id: user.id, hash: Bcrypt.hash(password, cost: bcryptCost))
    }
}
