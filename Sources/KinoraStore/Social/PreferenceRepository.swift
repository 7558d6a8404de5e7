import Foundation

/// Each account's preferences as one JSON object of the keys it has set. Runs on both backends.
public struct PreferenceRepository: Sendable {
    let db: any SQLDatabase

    /// The stored JSON object, nil when the account never set any.
    public func json(userID: String) throws -> String? {
        try db.read { try $0.scalar(String.self, "SELECT json FROM user_preferences WHERE user_id = ?", [userID]) }
    }

    /// Reads the stored object, lets `change` make the next one, and stores it, in one
    /// transaction so two concurrent changes do not lose each other's keys. `change` may run
    /// more than once (PostgreSQL retries a transaction that deadlocked), so it only computes.
    public func update(userID: String, now: Date = Date(), _ change: (String?) throws -> String) throws -> String {
        try db.write { db in
            if db.dialect == .postgres {
                // SQLite's single writer serialises read-change-write; PostgreSQL (READ COMMITTED)
                // does not, and an account's first change has no preferences row to lock yet, so
                // the account's own row is locked. NO KEY: the account's other rows (history,
                // playlists) may still be written meanwhile, only another preference change waits.
                _ = try db.fetchAll("SELECT id FROM users WHERE id = ? FOR NO KEY UPDATE", [userID])
            }
            let current = try db.scalar(String.self, "SELECT json FROM user_preferences WHERE user_id = ?", [userID])
            let next = try change(current)
            try db.execute(
                """
                INSERT INTO user_preferences(user_id, json, updated_at) VALUES (?, ?, ?)
                ON CONFLICT(user_id) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at
                """, [userID, next, now])
            return next
        }
    }
}

extension KinoraDatabase {
    public var preferences: PreferenceRepository { PreferenceRepository(db: sql) }
}
