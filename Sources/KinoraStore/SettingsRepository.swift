import GRDB

/// Small daemon-wide values that must survive restarts (installation id, first start).
public struct SettingsRepository: Sendable {
    let writer: DatabasePool

    public func value(for key: String) throws -> String? {
        try writer.read { try String.fetchOne($0, sql: "SELECT value FROM settings WHERE key = ?", arguments: [key]) }
    }

    public func set(_ value: String, for key: String) throws {
        try writer.write {
            try $0.execute(
                sql:
                    "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = CURRENT_TIMESTAMP",
                arguments: [key, value])
        }
    }

    /// Sets `value` only if the key is absent; returns the stored value either way.
    public func setIfAbsent(_ value: String, for key: String) throws -> String {
        try writer.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO settings(key, value) VALUES (?, ?)", arguments: [key, value])
            return try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = ?", arguments: [key]) ?? value
        }
    }
}
