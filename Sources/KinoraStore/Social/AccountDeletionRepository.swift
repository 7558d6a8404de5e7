import Foundation

/// Account deletion in two steps that survive a crash between them: ``begin(userID:now:)`` disables
/// the account and records the deletion in one transaction; once the caller has removed the
/// account's objects from storage, ``finish(userID:)`` deletes the rows (everything of the
/// account goes with its users row by foreign keys, the deletion record too). Runs on both backends.
public struct AccountDeletionRepository: Sendable {
    let db: any SQLDatabase

    /// Returns false when the account does not exist; throws ``LastAdmin`` when it is the last
    /// enabled admin. The count is taken inside the transaction, so two admins deleting
    /// themselves at once cannot both succeed, on either engine (``lockAccount(_:_:)``).
    @discardableResult
    public func begin(userID: String, now: Date = Date()) throws -> Bool {
        try db.write { db in
            guard let account = try Self.lockAccount(db, userID) else { return false }
            if account.role == "admin", !account.disabled {
                let others =
                    try db.scalar(Int.self, "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = ? AND id <> ?", [false, userID]) ?? 0
                guard others > 0 else { throw LastAdmin() }
            }
            try db.execute("UPDATE users SET disabled = ? WHERE id = ?", [true, userID])
            try db.execute("DELETE FROM refresh_tokens WHERE user_id = ?", [userID])
            try db.execute("INSERT INTO account_deletions(user_id, requested_at) VALUES (?, ?) ON CONFLICT DO NOTHING", [userID, now])
            return true
        }
    }

    /// The account's role and state, read so that the last-admin count that follows holds until
    /// the transaction ends. SQLite's single writer gives that already. PostgreSQL (READ
    /// COMMITTED) needs row locks: an enabled admin's deletion first locks every enabled
    /// admin's row in id order, then the account's, so two nodes deleting the last two admins
    /// wait for each other (the second then counts the first as disabled) instead of deadlocking.
    /// `UserRepository.update`'s demotion takes the same admin rows.
    static func lockAccount(_ db: any SQLConnection, _ userID: String) throws -> (role: String, disabled: Bool)? {
        func read(_ lock: String) throws -> (role: String, disabled: Bool)? {
            guard let row = try db.fetchOne("SELECT role, disabled FROM users WHERE id = ?" + lock, [userID]) else { return nil }
            return (try row.value("role"), try row.value("disabled"))
        }
        func lockAdmins() throws {
            _ = try db.fetchAll("SELECT id FROM users WHERE role = 'admin' AND disabled = ? ORDER BY id FOR UPDATE", [false])
        }
        guard db.dialect == .postgres else { return try read("") }
        guard let look = try read("") else { return nil }
        let lockedAdmins = look.role == "admin" && !look.disabled
        if lockedAdmins { try lockAdmins() }
        let account = try read(" FOR UPDATE")
        // Promoted between the look and the lock: rare, so the admins are locked only now (a
        // deadlock this may make is retried by the write).
        if let account, account.role == "admin", !account.disabled, !lockedAdmins { try lockAdmins() }
        return account
    }

    /// Accounts whose deletion was begun and not finished (oldest first).
    public func pending() throws -> [String] {
        try db.read { db in
            try db.fetchAll("SELECT user_id FROM account_deletions ORDER BY requested_at, user_id").map { try $0.value("user_id") }
        }
    }

    public func isPending(userID: String) throws -> Bool {
        try db.read { try $0.scalar(Bool.self, "SELECT 1 FROM account_deletions WHERE user_id = ?", [userID]) } ?? false
    }

    /// Deletes the account's row and, by cascade, every row that belongs to it.
    public func finish(userID: String) throws {
        try db.write { try $0.execute("DELETE FROM users WHERE id = ?", [userID]) }
    }
}

extension KinoraDatabase {
    public var accountDeletions: AccountDeletionRepository { AccountDeletionRepository(db: sql) }
}
