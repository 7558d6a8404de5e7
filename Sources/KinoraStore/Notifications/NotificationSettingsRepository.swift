import Foundation

/// An account's quiet hours: minutes after midnight in its time zone; messages that fall in
/// them wait for their end (security mail does not).
public struct QuietHours: Sendable, Equatable {
    public var start: Int
    public var end: Int
    /// An IANA name (`Europe/Paris`).
    public var timeZone: String

    public init(start: Int, end: Int, timeZone: String) {
        self.start = start
        self.end = end
        self.timeZone = timeZone
    }

    /// When the quiet hours that hold `date` end, nil when `date` is not in them.
    public func end(after date: Date) -> Date? {
        guard let zone = TimeZone(identifier: timeZone), start != end else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        // A window past midnight (22:00 to 07:00) holds both the late and the early minutes.
        let inside = start < end ? (minute >= start && minute < end) : (minute >= start || minute < end)
        guard inside else { return nil }
        let wait = (end - minute + 1440) % 1440
        let seconds = Double(wait * 60) - Double(calendar.component(.second, from: date))
        return date.addingTimeInterval(max(1, seconds))
    }
}

/// Quiet hours per account. Runs on both backends.
public struct NotificationSettingsRepository: Sendable {
    let db: any SQLDatabase

    public func quietHours(userID: String) throws -> QuietHours? {
        try db.read { db in
            guard let row = try db.fetchOne("SELECT quiet_start, quiet_end, time_zone FROM notification_settings WHERE user_id = ?", [userID]),
                let start: Int = row["quiet_start"], let end: Int = row["quiet_end"], let zone: String = row["time_zone"]
            else { return nil }
            return QuietHours(start: start, end: end, timeZone: zone)
        }
    }

    /// Stores the quiet hours, or removes them with nil.
    public func setQuietHours(userID: String, _ hours: QuietHours?, now: Date = Date()) throws {
        try db.write {
            try $0.execute(
                """
                INSERT INTO notification_settings(user_id, quiet_start, quiet_end, time_zone, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,
                    time_zone = excluded.time_zone, updated_at = excluded.updated_at
                """, [userID, hours?.start, hours?.end, hours?.timeZone, now])
        }
    }
}

extension NotificationSettingsRepository {
    /// Whether the account gets its mail of one kind as one digest per window.
    public func digest(userID: String) throws -> Bool {
        try db.read { try $0.scalar(Bool.self, "SELECT digest FROM notification_settings WHERE user_id = ?", [userID]) } ?? false
    }

    public func setDigest(userID: String, _ on: Bool, now: Date = Date()) throws {
        try db.write {
            try $0.execute(
                """
                INSERT INTO notification_settings(user_id, digest, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET digest = excluded.digest, updated_at = excluded.updated_at
                """, [userID, on, now])
        }
    }
}

extension OutboxRepository {
    /// The oldest message of the account for `event` on `channel` still waiting or being sent:
    /// the one whose window a digest follows.
    public func digestLeader(userID: String, event: String, channel: String) throws -> (id: Int64, createdAt: Date)? {
        try db.read { db in
            try db.fetchOne(
                """
                SELECT id, created_at FROM notification_outbox
                WHERE user_id = ? AND event = ? AND channel = ? AND state IN ('pending', 'sending') ORDER BY id LIMIT 1
                """, [userID, event, channel]
            ).map { (try $0.value("id"), try $0.value("created_at")) }
        }
    }

    /// Claims every pending message of the account for `event` on `channel` (due or not): the
    /// rest of a digest whose first message came due. Returns them oldest first.
    public func claimDigest(userID: String, event: String, channel: String, lease: TimeInterval, now: Date = Date()) throws -> [OutboxMessage] {
        try db.write { db in
            try db.fetchAll(
                """
                UPDATE notification_outbox SET state = 'sending', attempts = attempts + 1, lease_until = ?, updated_at = ?
                WHERE user_id = ? AND event = ? AND channel = ? AND state = 'pending' RETURNING \(Self.columns)
                """, [now.addingTimeInterval(lease), now, userID, event, channel]
            ).map(Self.message).sorted { $0.id < $1.id }
        }
    }
}

extension KinoraDatabase {
    public var notificationSettings: NotificationSettingsRepository { NotificationSettingsRepository(db: sql) }
}

extension OutboxRepository {
    /// Puts a claimed message back without counting the attempt, due at `until`: the
    /// recipient's quiet hours.
    public func postpone(_ id: Int64, until: Date, now: Date = Date()) throws {
        try db.write {
            try $0.execute(
                """
                UPDATE notification_outbox SET state = 'pending', next_attempt_at = ?, lease_until = NULL, attempts = attempts - 1, updated_at = ?
                WHERE id = ? AND state = 'sending'
                """, [until, now, id])
        }
    }
}
