import GRDB

extension Migrations {
    /// 0023-notifications: the in-app inbox, the outbox every other channel delivers from,
    /// each account's choices per event and channel (only those that differ from the defaults),
    /// its quiet hours, its browsers' Web Push subscriptions and its verified phone number.
    static func notifications(_ db: Database) throws {
        try db.execute(
            sql: notificationsSQL(serial: "INTEGER PRIMARY KEY AUTOINCREMENT", integer: "INTEGER", text: "TEXT", date: "DATETIME", boolean: "BOOLEAN", falseValue: "0"))
        try db.execute(sql: "ALTER TABLE users ADD COLUMN phone TEXT; ALTER TABLE users ADD COLUMN phone_verified BOOLEAN NOT NULL DEFAULT 0;")
    }

    /// Both engines' text but for type names. Rows are numbered so a cursor, an SSE
    /// `Last-Event-ID` and the delivery order are one integer.
    static func notificationsSQL(serial: String, integer: String, text: String, date: String, boolean: String, falseValue: String) -> String {
        """
        CREATE TABLE notifications (
            id \(serial),
            user_id \(text) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            event \(text) NOT NULL,
            dedupe_key \(text) NOT NULL UNIQUE,
            data \(text) NOT NULL,
            created_at \(date) NOT NULL,
            read_at \(date)
        );
        CREATE INDEX notifications_inbox ON notifications(user_id, id);
        CREATE INDEX notifications_unread ON notifications(user_id, id) WHERE read_at IS NULL;
        CREATE TABLE notification_outbox (
            id \(serial),
            idempotency_key \(text) NOT NULL UNIQUE,
            user_id \(text) REFERENCES users(id) ON DELETE CASCADE,
            event \(text) NOT NULL,
            channel \(text) NOT NULL,
            address_id \(text),
            data \(text) NOT NULL,
            state \(text) NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'delivered', 'failed', 'dropped')),
            attempts \(integer) NOT NULL DEFAULT 0,
            next_attempt_at \(date) NOT NULL,
            lease_until \(date),
            last_error \(text),
            provider_id \(text),
            created_at \(date) NOT NULL,
            updated_at \(date) NOT NULL
        );
        CREATE INDEX notification_outbox_due ON notification_outbox(next_attempt_at, id) WHERE state IN ('pending', 'sending');
        CREATE TABLE notification_preferences (
            user_id \(text) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            event \(text) NOT NULL,
            channel \(text) NOT NULL,
            enabled \(boolean) NOT NULL,
            updated_at \(date) NOT NULL,
            PRIMARY KEY (user_id, event, channel)
        );
        CREATE TABLE notification_settings (
            user_id \(text) PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            quiet_start \(integer),
            quiet_end \(integer),
            time_zone \(text),
            digest \(boolean) NOT NULL DEFAULT \(falseValue),
            updated_at \(date) NOT NULL
        );
        CREATE TABLE push_subscriptions (
            id \(text) PRIMARY KEY,
            user_id \(text) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            endpoint \(text) NOT NULL UNIQUE,
            p256dh \(text) NOT NULL,
            auth \(text) NOT NULL,
            user_agent \(text),
            created_at \(date) NOT NULL
        );
        CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id);
        CREATE TABLE phone_codes (
            user_id \(text) PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            phone \(text) NOT NULL,
            code_hash \(text) NOT NULL,
            attempts \(integer) NOT NULL DEFAULT 0,
            expires_at \(date) NOT NULL
        );
        """
    }
}
