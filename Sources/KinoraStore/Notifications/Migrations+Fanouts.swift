import GRDB

extension Migrations {
    /// 0024-notification-fanouts: a channel's subscribers in account order (the fan-out
    /// walks them a slice at a time; the index replaces `subscriptions_channel`, whose
    /// counts it serves as well), and each fan-out's progress, so one cut short by a stop
    /// goes on from its last slice and a scheduled video is announced once its time comes.
    static func notificationFanouts(_ db: Database) throws {
        try db.execute(sql: notificationFanoutsSQL(text: "TEXT", date: "DATETIME", now: "CURRENT_TIMESTAMP"))
    }

    /// Both engines' text but for type names. Scheduled videos already out when this runs
    /// count as announced: the sweep must not announce the last day's releases on upgrade
    /// (videos that were not scheduled are announced when ready and never swept).
    static func notificationFanoutsSQL(text: String, date: String, now: String) -> String {
        """
        CREATE INDEX subscriptions_channel_user ON subscriptions(channel_id, user_id);
        DROP INDEX subscriptions_channel;
        CREATE TABLE notification_fanouts (
            key \(text) PRIMARY KEY,
            event \(text) NOT NULL,
            occurrence \(text) NOT NULL,
            next_after \(text),
            created_at \(date) NOT NULL,
            finished_at \(date)
        );
        CREATE INDEX notification_fanouts_unfinished ON notification_fanouts(created_at) WHERE finished_at IS NULL;
        INSERT INTO notification_fanouts(key, event, occurrence, created_at, finished_at)
            SELECT 'video.published-' || id || '-', 'video.published', id, \(now), \(now) FROM videos
            WHERE status = 'ready' AND publish_at IS NOT NULL AND publish_at <= \(now);
        """
    }
}
