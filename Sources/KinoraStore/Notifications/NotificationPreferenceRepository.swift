import Foundation

/// An account's choices per event and channel kind (`email`, `in_app`, `webpush`, `phone`):
/// only the choices that differ from, or repeat, the configured defaults are stored, so a
/// change of the defaults reaches everyone who never chose. Runs on both backends.
public struct NotificationPreferenceRepository: Sendable {
    let db: any SQLDatabase

    /// The stored choices: `[event: [channel: enabled]]`.
    public func choices(userID: String) throws -> [String: [String: Bool]] {
        try db.read { db in
            var result: [String: [String: Bool]] = [:]
            for row in try db.fetchAll("SELECT event, channel, enabled FROM notification_preferences WHERE user_id = ?", [userID]) {
                result[try row.value("event", as: String.self), default: [:]][try row.value("channel", as: String.self)] = try row.value("enabled")
            }
            return result
        }
    }

    /// Stores each choice, replacing earlier ones, in one transaction.
    public func set(userID: String, _ choices: [(event: String, channel: String, enabled: Bool)], now: Date = Date()) throws {
        try db.write { db in
            for choice in choices {
                try db.execute(
                    """
                    INSERT INTO notification_preferences(user_id, event, channel, enabled, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (user_id, event, channel) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at
                    """, [userID, choice.event, choice.channel, choice.enabled, now])
            }
        }
    }

    /// Whether the account hears of `event` on `channel`, given the default.
    public func isEnabled(userID: String, event: String, channel: String, byDefault: Bool) throws -> Bool {
        try db.read {
            try $0.scalar(
                Bool.self, "SELECT enabled FROM notification_preferences WHERE user_id = ? AND event = ? AND channel = ?", [userID, event, channel])
        } ?? byDefault
    }

    /// The SQL condition, on an account id column, that the account hears of `event` on
    /// `channel`: what a fan-out filters its subscribers by in one statement. Binds two values
    /// (the event, the channel) in that order.
    static func hearsCondition(userColumn: String, byDefault: Bool) -> String {
        let choice = "SELECT 1 FROM notification_preferences p WHERE p.user_id = \(userColumn) AND p.event = ? AND p.channel = ?"
        return byDefault ? "NOT EXISTS (\(choice) AND NOT p.enabled)" : "EXISTS (\(choice) AND p.enabled)"
    }
}

extension KinoraDatabase {
    public var notificationPreferences: NotificationPreferenceRepository { NotificationPreferenceRepository(db: sql) }
}
