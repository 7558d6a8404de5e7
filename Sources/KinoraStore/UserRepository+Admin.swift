import Foundation
import GRDB

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
        try writer.read { try Bool.fetchOne($0, sql: "SELECT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND disabled = 0)") ?? false }
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
        return try writer.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let role {
                conditions.append("role = ?")
                arguments += [role]
            }
            if let after {
                conditions.append("(created_at, id) > (?, ?)")
                arguments += [after.0, after.1]
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments += [limit + 1]
            let rows = try UserRecord.fetchAll(db, sql: "SELECT * FROM users \(filter) ORDER BY created_at, id LIMIT ?", arguments: arguments)
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
        try writer.write { db in
            guard var user = try UserRecord.fetchOne(db, key: id) else { return nil }
            let wasEnabledAdmin = user.role == "admin" && !user.disabled
            if let role = changes.role { user.role = role }
            if let disabled = changes.disabled { user.disabled = disabled }
            if let name = changes.displayName { user.displayName = name }
            if wasEnabledAdmin, user.role != "admin" || user.disabled {
                let admins = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0") ?? 0
                if admins <= 1 { throw LastAdmin() }
            }
            try user.update(db)
            if user.disabled {
                try db.execute(sql: "UPDATE refresh_tokens SET revoked = 1 WHERE user_id = ? AND revoked = 0", arguments: [id])
                try db.execute(sql: "DELETE FROM sessions WHERE user_id = ?", arguments: [id])
            }
            return user
        }
    }

    /// Sets the password hash, revokes every refresh token and ends every browser session of the
    /// account but `keepingSession` (the stored hash of the session that changed it), in one
    /// transaction.
    public func setPassword(id: String, hash: String, keepingSession: String? = nil) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE users SET password_hash = ? WHERE id = ?", arguments: [hash, id])
            try db.execute(sql: "UPDATE refresh_tokens SET revoked = 1 WHERE user_id = ? AND revoked = 0", arguments: [id])
            // Browser sessions end too: whoever knew the old password may hold one.
            try db.execute(sql: "DELETE FROM sessions WHERE user_id = ? AND token_hash IS NOT ?", arguments: [id, keepingSession])
        }
    }
}
