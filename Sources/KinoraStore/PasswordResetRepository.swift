import Foundation

/// Password reset tokens, stored as SHA-256 hashes; each works once, within its lifetime.
/// Runs on both backends.
public struct PasswordResetRepository: Sendable {
    let db: any SQLDatabase

    /// Stores a new token for the user; earlier ones of the same user stop working, so only
    /// the last token handed out is live.
    public func issue(userID: String, tokenHash: String, expiresAt: Date, now: Date = Date()) throws {
        try db.write { db in
            try db.execute("DELETE FROM password_resets WHERE user_id = ?", [userID])
            try db.execute(
                "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)", [tokenHash, userID, now, expiresAt])
        }
    }

    /// The enabled account a live (unused, unexpired) token belongs to; nil otherwise.
    public func owner(tokenHash: String, now: Date = Date()) throws -> UserRecord? {
        try db.read { db in
            try db.fetchOne(
                UserRecord.self,
                """
                SELECT users.* FROM password_resets JOIN users ON users.id = password_resets.user_id
                WHERE password_resets.token_hash = ? AND password_resets.expires_at > ? AND users.disabled = ?
                """, [tokenHash, now, false])
        }
    }

    /// Spends the token and, in the same transaction, sets the account's password hash and
    /// ends every way into the account that the old password may have handed out: refresh
    /// tokens are revoked, browser sessions and API keys deleted. Returns the account, or nil when the token
    /// is unknown, used, expired, or its account disabled: a token is spent at most once
    /// even when two requests race (one DELETE … RETURNING takes it, on every node).
    public func redeem(tokenHash: String, newPasswordHash: String, now: Date = Date()) throws -> UserRecord? {
        try db.write { db in
            guard let row = try db.fetchOne("DELETE FROM password_resets WHERE token_hash = ? RETURNING user_id, expires_at", [tokenHash])
            else { return nil }
            let expiresAt: Date = try row.value("expires_at"), userID: String = try row.value("user_id")
            guard expiresAt > now, let user = try db.fetchOne(UserRecord.self, "SELECT * FROM users WHERE id = ?", [userID]), !user.disabled
            else { return nil }
            try db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [newPasswordHash, user.id])
            try db.execute("UPDATE refresh_tokens SET revoked = ? WHERE user_id = ? AND revoked = ?", [true, user.id, false])
            try db.execute("DELETE FROM sessions WHERE user_id = ?", [user.id])
            try db.execute("DELETE FROM api_keys WHERE user_id = ?", [user.id])
            try db.execute("DELETE FROM password_resets WHERE user_id = ?", [user.id])
            return user
        }
    }

    /// Drops tokens past their expiry (housekeeping at start).
    @discardableResult
    public func deleteExpired(now: Date = Date()) throws -> Int {
        try db.write { try $0.execute("DELETE FROM password_resets WHERE expires_at <= ?", [now]) }
    }
}

extension KinoraDatabase {
    public var passwordResets: PasswordResetRepository { PasswordResetRepository(db: sql) }
}
