/// Small daemon-wide values that must survive restarts (installation id, first start).
/// Runs on both backends.
public struct SettingsRepository: Sendable {
    let db: any SQLDatabase

    public func value(for key: String) throws -> String? {
        try db.read { try $0.scalar(String.self, "SELECT value FROM settings WHERE key = ?", [key]) }
    }

    public func set(_ value: String, for key: String) throws {
        try db.write {
            try $0.execute(
                "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = CURRENT_TIMESTAMP",
                [key, value])
        }
    }

    /// Sets `value` only if the key is absent; returns the stored value either way.
    public func setIfAbsent(_ value: String, for key: String) throws -> String {
        try db.write { db in
            try db.execute("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING", [key, value])
            return try db.scalar(String.self, "SELECT value FROM settings WHERE key = ?", [key]) ?? value
        }
    }
}
