import Foundation

/// What an admin may change on an account; nil leaves a field as it is.
public struct UserChanges: Sendable, Equatable {
    public var role: String?
    public var disabled: Bool?
    public var displayName: String?

    public init(role: String? = nil, disabled: Bool? = nil, displayName: String? = nil) {
        self.role = role
        self.disabled = disabled
        self.displayName = displayName
    }
}

/// The change would leave no enabled admin account.
/// The last enabled admin would be demoted, disabled or deleted: refused, so the server keeps one.
public struct LastAdmin: Error, CustomStringConvertible {
    public var description: String { "this is the last enabled admin account: make another admin first" }
}

/// One page of accounts in creation order, with a cursor that stays stable under inserts.
public struct UserPage: Sendable {
    public var users: [UserRecord]
    public var nextCursor: String?
}

extension UserRepository {

    /// True when at least one enabled admin account exists.
    public func hasEnabledAdmin() throws -> Bool {
        try db.read { try $0.scalar(Int.self, "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = ?", [false]) ?? 0 } > 0
    }

    /// Accounts oldest first, optionally of one role. The cursor is the position (creation
    /// time and id) of the last account returned, so new accounts never shift a page.
    public func list(role: String? = nil, limit: Int, cursor: String? = nil) throws -> UserPage {
        var after: (Date, String)?
        if let cursor {
            let parts = cursor.split(separator: "_", maxSplits: 1).map(String.init)
            guard parts.count == 2, let seconds = Int64(parts[0]), seconds >= 0, !parts[1].isEmpty else { throw InvalidCursor() }
            after = (Date(timeIntervalSince1970: TimeInterval(seconds)), parts[1])
        }
        return try db.read { db in
            var conditions: [String] = []
            var arguments: [any SQLBindable] = []
            if let role {
                conditions.append("role = ?")
                arguments.append(role)
            }
            if let after {
                conditions.append("(created_at, id) > (?, ?)")
                arguments += [after.0, after.1]
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments.append(limit + 1)
            let rows = try db.fetchAll(UserRecord.self, "SELECT * FROM users \(filter) ORDER BY created_at, id LIMIT ?", arguments)
            let page = Array(rows.prefix(limit))
            let next = rows.count > limit ? page.last.map { "\(Int64($0.createdAt.timeIntervalSince1970))_\($0.id)" } : nil
            return UserPage(users: page, nextCursor: next)
        }
    }

    /// Applies `changes` in one transaction. Refuses (``LastAdmin``) to demote or disable the
    /// last enabled admin: the count is taken inside the transaction, so two admins demoting
    /// each other at once cannot both succeed. Disabling revokes every refresh token and ends every browser session.
    /// Returns the updated account, or nil when there is none with this id.
    public func update(id: String, _ changes: UserChanges) throws -> UserRecord? {
        try db.write { db in
            // Locked on PostgreSQL: the last-admin rule must hold against another node's change.
            let lock = db.dialect == .postgres ? " FOR UPDATE" : ""
            guard var user = try db.fetchOne(UserRecord.self, "SELECT * FROM users WHERE id = ?" + lock, [id]) else { return nil }
            let wasEnabledAdmin = user.role == "admin" && !user.disabled
            if let role = changes.role { user.role = role }
            if let disabled = changes.disabled { user.disabled = disabled }
            if let name = changes.displayName { user.displayName = name }
            if wasEnabledAdmin, user.role != "admin" || user.disabled {
                if db.dialect == .postgres {
                    // Every enabled admin's row, so two nodes demoting the last two at once serialise.
                    _ = try db.fetchAll("SELECT id FROM users WHERE role = 'admin' AND disabled = ? FOR UPDATE", [false])
                }
                let admins = try db.scalar(Int.self, "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = ?", [false]) ?? 0
                if admins <= 1 { throw LastAdmin() }
            }
            try db.execute(
                "UPDATE users SET role = ?, disabled = ?, display_name = ? WHERE id = ?", [user.role, user.disabled, user.displayName, id])
            if user.disabled {
                try db.execute("UPDATE refresh_tokens SET revoked = ? WHERE user_id = ? AND revoked = ?", [true, id, false])
                try db.execute("DELETE FROM sessions WHERE user_id = ?", [id])
            }
            return user
        }
    }

    /// Sets the password hash, revokes every refresh token and ends every browser session of the
    /// account but `keepingSession` (the stored hash of the session that changed it), in one
    /// transaction.
    public func setPassword(id: String, hash: String, keepingSession: String? = nil) throws {
        try db.write { db in
            try db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [hash, id])
            try db.execute("UPDATE refresh_tokens SET revoked = ? WHERE user_id = ? AND revoked = ?", [true, id, false])
            // Browser sessions end too: whoever knew the old password may hold one.
            try db.execute("DELETE FROM sessions WHERE user_id = ? AND token_hash IS DISTINCT FROM ?", [id, keepingSession])
        }
    }
}
