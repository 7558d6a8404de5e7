import Foundation
import GRDB

/// Each account's preferences as one JSON object of the keys it has set.
public struct PreferenceRepository: Sendable {
    let writer: DatabasePool

    /// The stored JSON object, nil when the account never set any.
    public func json(userID: String) throws -> String? {
        try writer.read { try String.fetchOne($0, sql: "SELECT json FROM user_preferences WHERE user_id = ?", arguments: [userID]) }
    }

    /// Reads the stored object, lets `change` make the next one, and stores it, in one
    /// transaction so two concurrent changes do not lose each other's keys.
    public func update(userID: String, now: Date = Date(), _ change: (String?) throws -> String) throws -> String {
        try writer.write { db in
            let current = try String.fetchOne(db, sql: "SELECT json FROM user_preferences WHERE user_id = ?", arguments: [userID])
            let next = try change(current)
            try db.execute(
                sql: """
                    INSERT INTO user_preferences(user_id, json, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT(user_id) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at
                    """, arguments: [userID, next, now])
            return next
        }
    }
}

extension KinoraDatabase {
    public var preferences: PreferenceRepository { PreferenceRepository(writer: writer) }
}
