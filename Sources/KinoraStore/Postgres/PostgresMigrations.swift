/// The PostgreSQL schema, migration by migration, numbered as SQLite's (``Migrations``) so one
/// identifier means the same change on both (``PostgresSchema``'s texts); a test keeps the two
/// schemas' tables, columns and indexes equal. Each runs in one transaction holding an
/// advisory lock, so nodes starting together migrate once. Released migrations are never edited.
///
/// Types: SQLite's text dates are `timestamptz`, its 0/1 integers `boolean` (``SQLValue`` binds
/// and reads both), its integers `bigint`, its NOCASE columns `citext`.
enum PostgresMigrations {
    static let all: [(identifier: String, sql: String)] = [
        ("0001-settings", settings),
        ("0002-videos-and-jobs", videosAndJobs),
        ("0003-presentation", "ALTER TABLE videos ADD COLUMN presentation text;"),
        ("0004-uploads", uploads),
        ("0005-job-owner", "ALTER TABLE jobs ADD COLUMN owner text;"),
        ("0006-job-started", "ALTER TABLE jobs ADD COLUMN started_at timestamptz;"),
        ("0007-captions", captions),
        ("0008-thumbnails", "ALTER TABLE videos ADD COLUMN thumbnails text;"),
        ("0009-accounts", accounts),
        ("0010-catalog", catalog),
        ("0011-sessions-totp", sessionsAndTOTP),
        ("0012-account-admin", accountAdmin),
        ("0013-oidc", oidc),
        ("0014-social", social),
        ("0015-session-agent", "ALTER TABLE sessions ADD COLUMN user_agent text;"),
        ("0016-job-cancel", jobCancel),
        ("0017-upload-ingest-and-job-interruptions", ingestRecovery),
        ("0018-audio-labels", audioLabels),
        ("0019-comments-ratings", commentsAndRatings),
        ("0020-claimable-jobs", "CREATE INDEX jobs_claimable ON jobs(id) WHERE state IN ('queued', 'running');"),
        ("0021-moderation", moderation),
        ("0022-video-moderation-hold", "ALTER TABLE videos ADD COLUMN moderation_hold boolean NOT NULL DEFAULT false;"),
        ("0023-notifications", notifications),
        ("0024-notification-fanouts", Migrations.notificationFanoutsSQL(text: "text", date: "timestamptz", now: "now()")),
    ]

    /// Any number fits; this one is "kino" in ASCII, so other software sharing the server is
    /// unlikely to take the same lock.
    static let lockKey = 0x6B69_6E6F

    /// Applies every pending migration; returns the identifiers applied now.
    static func migrate(_ database: PostgresDatabase) throws -> [String] {
        try database.runScript(
            """
            BEGIN;
            SELECT pg_advisory_xact_lock(\(lockKey));
            CREATE TABLE IF NOT EXISTS kinora_migrations (identifier text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
            COMMIT;
            """)
        var applied: [String] = []
        for migration in all {
            // Checked again under the lock: another node may have applied it meanwhile.
            let done = try database.write { db -> Bool in
                try db.execute("SELECT pg_advisory_xact_lock(?)", [lockKey])
                return try db.scalar(Int.self, "SELECT 1 FROM kinora_migrations WHERE identifier = ?", [migration.identifier]) == 1
            }
            if done { continue }
            let quoted = migration.identifier.replacingOccurrences(of: "'", with: "''")
            do {
                try runLocked(migration, quoted: quoted, in: database)
            } catch let error as SQLError where error.description.contains(appliedMeanwhile) {
                continue
            }
            applied.append(migration.identifier)
        }
        return applied
    }

    static let appliedMeanwhile = "kinora: migration applied meanwhile"

    private static func runLocked(_ migration: (identifier: String, sql: String), quoted: String, in database: PostgresDatabase) throws {
        try database.runScript(
            """
            BEGIN;
            SELECT pg_advisory_xact_lock(\(lockKey));
            DO $$ BEGIN
                IF EXISTS (SELECT 1 FROM kinora_migrations WHERE identifier = '\(quoted)') THEN
                    RAISE EXCEPTION '\(appliedMeanwhile)';
                END IF;
            END $$;
            \(migration.sql)
            INSERT INTO kinora_migrations(identifier) VALUES ('\(quoted)');
            COMMIT;
            """)
    }

    /// Migrations not applied yet.
    static func pending(_ database: PostgresDatabase) throws -> [String] {
        let exists = try database.read { try $0.scalar(Bool.self, "SELECT to_regclass('kinora_migrations') IS NOT NULL") } ?? false
        guard exists else { return all.map(\.identifier) }
        let applied = try database.read { db in
            Set(try db.fetchAll("SELECT identifier FROM kinora_migrations").compactMap { $0["identifier"] as String? })
        }
        return all.map(\.identifier).filter { !applied.contains($0) }
    }
}
