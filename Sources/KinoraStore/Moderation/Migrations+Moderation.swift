import GRDB

extension Migrations {
    /// 0021-moderation: reports, the moderation queue with the signals that put each item
    /// there, the audit log of decisions, and account suspensions and bans.
    static func moderation(_ db: Database) throws {
        try db.execute(sql: moderationSQL(text: "TEXT", date: "DATETIME", real: "REAL", boolean: "BOOLEAN", falseValue: "0"))
        try db.execute(sql: "ALTER TABLE users ADD COLUMN suspended_until DATETIME; ALTER TABLE users ADD COLUMN banned_at DATETIME;")
    }

    /// Both engines' text but for type names. One open report per reporter and target, one open
    /// queue item per target: partial unique indexes, which both engines have.
    static func moderationSQL(text: String, date: String, real: String, boolean: String, falseValue: String) -> String {
        """
        CREATE TABLE reports (
            id \(text) PRIMARY KEY,
            reporter_id \(text) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            target_type \(text) NOT NULL CHECK (target_type IN ('video', 'comment', 'user')),
            target_id \(text) NOT NULL,
            reason \(text) NOT NULL CHECK (reason IN ('spam', 'harassment', 'hate', 'violence', 'sexual', 'misinformation', 'copyright', 'other')),
            detail \(text) NOT NULL DEFAULT '',
            state \(text) NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved')),
            created_at \(date) NOT NULL,
            resolved_at \(date)
        );
        CREATE UNIQUE INDEX reports_open ON reports(reporter_id, target_type, target_id) WHERE state = 'open';
        CREATE INDEX reports_target ON reports(target_type, target_id, state);
        CREATE INDEX reports_reporter ON reports(reporter_id, created_at);
        CREATE TABLE moderation_items (
            id \(text) PRIMARY KEY,
            target_type \(text) NOT NULL CHECK (target_type IN ('video', 'comment', 'user')),
            target_id \(text) NOT NULL,
            state \(text) NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved')),
            hidden \(boolean) NOT NULL DEFAULT \(falseValue),
            created_at \(date) NOT NULL,
            updated_at \(date) NOT NULL,
            resolved_at \(date)
        );
        CREATE UNIQUE INDEX moderation_items_open ON moderation_items(target_type, target_id) WHERE state = 'open';
        CREATE INDEX moderation_items_queue ON moderation_items(state, updated_at, id);
        CREATE TABLE moderation_signals (
            item_id \(text) NOT NULL REFERENCES moderation_items(id) ON DELETE CASCADE,
            kind \(text) NOT NULL CHECK (kind IN ('classifier', 'report', 'rule')),
            source \(text) NOT NULL,
            label \(text),
            score \(real),
            detail \(text),
            created_at \(date) NOT NULL
        );
        CREATE INDEX moderation_signals_item ON moderation_signals(item_id, created_at);
        CREATE TABLE moderation_audit (
            id \(text) PRIMARY KEY,
            moderator_id \(text) REFERENCES users(id) ON DELETE SET NULL,
            item_id \(text),
            target_type \(text) NOT NULL,
            target_id \(text) NOT NULL,
            action \(text) NOT NULL CHECK (action IN ('approve', 'remove', 'warn', 'suspend', 'ban', 'lift')),
            reason \(text) NOT NULL,
            created_at \(date) NOT NULL
        );
        CREATE INDEX moderation_audit_recent ON moderation_audit(created_at, id);
        """
    }
}
