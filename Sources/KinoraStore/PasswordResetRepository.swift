import Foundation
import GRDB

/// Password reset tokens, stored as SHA-256 hashes; each works once, within its lifetime.
public struct PasswordResetRepository: Sendable {
    let writer: DatabasePool

    /// Stores a new token for the user; earlier ones of the same user stop working, so only
    /// the last token handed out is live.
    public func issue(userID: String, tokenHash: String, expiresAt: Date, now: Date = Date()) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM password_resets WHERE user_id = ?", arguments: [userID])
            try db.execute(
                sql: "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [tokenHash, userID, now, expiresAt])
        }
    }

    /// The enabled account a live (unused, unexpired) token belongs to; nil otherwise.
    public func owner(tokenHash: String, now: Date = Date()) throws -> UserRecord? {
        try writer.read { db in
            try UserRecord.fetchOne(
                db,
                sql: """
                    SELECT users.* FROM password_resets JOIN users ON users.id = password_resets.user_id
                    WHERE password_resets.token_hash = ? AND password_resets.expires_at > ? AND users.disabled = 0
                    """, arguments: [tokenHash, now])
        }
    }

    /// Spends the token and, in the same transaction, sets the account's password hash and
    /// ends every way into the account that the old password may have handed out: refresh
    /// tokens are revoked, browser sessions and API keys deleted. Returns the account, or nil when the token
    /// is unknown, used, expired, or its account disabled: a token is spent at most once
    /// even when two requests race.
    public func redeem(tokenHash: String, newPasswordHash: String, now: Date = Date()) throws -> UserRecord? {
        try writer.write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT user_id, expires_at FROM password_resets WHERE token_hash = ?",
                    arguments: [tokenHash])
            else { return nil }
            try db.execute(sql: "DELETE FROM password_resets WHERE token_hash = ?", arguments: [tokenHash])
            let expiresAt: Date = row["expires_at"]
            guard expiresAt > now, let user = try UserRecord.fetchOne(db, key: row["user_id"] as String), !user.disabled else { return nil }
            try db.execute(sql: "UPDATE users SET password_hash = ? WHERE id = ?", arguments: [newPasswordHash, user.id])
            try db.execute(sql: "UPDATE refresh_tokens SET revoked = 1 WHERE user_id = ? AND revoked = 0", arguments: [user.id])
            try db.execute(sql: "DELETE FROM sessions WHERE user_id = ?", arguments: [user.id])
            try db.execute(sql: "DELETE FROM api_keys WHERE user_id = ?", arguments: [user.id])
            try db.execute(sql: "DELETE FROM password_resets WHERE user_id = ?", arguments: [user.id])
            return user
        }
    }

    /// Drops tokens past their expiry (housekeeping at start).
    @discardableResult
    public func deleteExpired(now: Date = Date()) throws -> Int {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM password_resets WHERE expires_at <= ?", arguments: [now.storageText])
            return db.changesCount
        }
    }
}

extension KinoraDatabase {
    public var passwordResets: PasswordResetRepository { PasswordResetRepository(writer: writer) }
}
