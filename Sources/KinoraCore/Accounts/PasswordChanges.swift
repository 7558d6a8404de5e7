import Foundation
import KinoraStore

/// Changing a password with the current one, and resetting it with a one-time token an admin
/// hands out.
public struct PasswordChanges: Sendable {
    public let database: KinoraDatabase
    public let passwords: PasswordChecks
    /// Bad reset tokens per address (wrong current passwords count in ``PasswordChecks``).
    public let resetThrottle: AttemptWindow

    public init(database: KinoraDatabase, passwords: PasswordChecks, resetThrottle: AttemptWindow = AttemptWindow(limit: 10, window: 15 * 60)) {
        self.database = database
        self.passwords = passwords
        self.resetThrottle = resetThrottle
    }

    /// Checks the current password (in the one password throttle), sets the new one, and ends
    /// every other way into the account: every refresh token and every browser session but
    /// `keepingSession`. API keys stay: they are listed in the settings, each revocable, and
    /// made on purpose by the owner.
    public func change(_ user: UserRecord, current: String, new: String, keepingSession: String?, address: String) async throws {
        try await passwords.confirm(current, of: user, address: address, wrong: .wrongPassword(field: "current_password"))
        try Accounts.checkPassword(new, username: user.username, field: "new_password")
        try database.users.setPassword(id: user.id, hash: try await Accounts.hash(new), keepingSession: keepingSession)
    }

    /// Spends a reset token and sets the password; revokes the account's refresh tokens,
    /// sessions and API keys. Answers the account.
    public func reset(token: String, new: String, address: String) async throws -> UserRecord {
        let key = ["reset:" + address]
        if let wait = await resetThrottle.retryAfter(key) { throw AccountError.tooManyResetTokens(seconds: wait) }
        let hash = Secrets.hash(token)
        // The owner is looked up first only to check the policy (the password must not be the
        // username); the token is spent in the transaction that sets the password.
        guard let owner = try database.passwordResets.owner(tokenHash: hash) else {
            await resetThrottle.record(key)
            throw AccountError.invalidResetToken
        }
        try Accounts.checkPassword(new, username: owner.username, field: "new_password")
        guard let user = try database.passwordResets.redeem(tokenHash: hash, newPasswordHash: try await Accounts.hash(new)) else {
            throw AccountError.invalidResetToken
        }
        return user
    }
}
