import Foundation
import GRDB

/// Account deletion in two steps that survive a crash between them: ``begin(userID:)`` disables
/// the account and records the deletion in one transaction; once the caller has removed the
/// account's objects from storage, ``finish(userID:)`` deletes the rows (everything of the
/// account goes with its users row by foreign keys, the deletion record too).
public struct AccountDeletionRepository: Sendable {
    let writer: DatabasePool

    /// Returns false when the account does not exist; throws ``LastAdmin``.
    @discardableResult
    public func begin(userID: String, now: Date = Date()) throws -> Bool {
        try writer.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT role, disabled FROM users WHERE id = ?", arguments: [userID]) else { return false }
            if row["role"] as String == "admin", !(row["disabled"] as Bool) {
                let others =
                    try Int.fetchOne(
                        db, sql: "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id != ?",
                        arguments: [userID]) ?? 0
                guard others > 0 else { throw LastAdmin() }
            }
            try db.execute(sql: "UPDATE users SET disabled = 1 WHERE id = ?", arguments: [userID])
            try db.execute(sql: "DELETE FROM refresh_tokens WHERE user_id = ?", arguments: [userID])
            try db.execute(sql: "INSERT OR IGNORE INTO account_deletions(user_id, requested_at) VALUES (?, ?)", arguments: [userID, now])
            return true
        }
    }

    /// Accounts whose deletion was begun and not finished (oldest first).
    public func pending() throws -> [String] {
        try writer.read { try String.fetchAll($0, sql: "SELECT user_id FROM account_deletions ORDER BY requested_at") }
    }

    public func isPending(userID: String) throws -> Bool {
        try writer.read { try Bool.fetchOne($0, sql: "SELECT 1 FROM account_deletions WHERE user_id = ?", arguments: [userID]) } ?? false
    }

    /// Deletes the account's row and, by cascade, every row that belongs to it.
    public func finish(userID: String) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [userID])
        }
    }
}

extension KinoraDatabase {
    public var accountDeletions: AccountDeletionRepository { AccountDeletionRepository(writer: writer) }
}
