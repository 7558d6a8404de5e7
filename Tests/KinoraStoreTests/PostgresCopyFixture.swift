import Foundation
import KinoraStore
import KinoraTestSupport

/// A migrated SQLite install with rows in every table, each kind of value represented: dates
/// written by the store and by SQLite's CURRENT_TIMESTAMP, 0/1 booleans, blobs, reals, NULLs,
/// text with quotes and emoji, AUTOINCREMENT ids with a deleted one, the FTS5 search table.
enum PostgresCopyFixture {
    static let start = Date(timeIntervalSince1970: 1_780_000_000.125)

    /// - Parameter videos: How many videos (each with its search row and a tag).
    static func sqlite(_ label: String, videos: Int = 3) throws -> KinoraDatabase {
        let database = try StoreBackend.sqlite.makeDatabase(label)
        try database.migrate()
        let t = start
        try database.sql.write { db in
            try db.execute("INSERT INTO settings(key, value) VALUES ('install.id', 'copy-test')")
            try db.execute(
                "INSERT INTO users(id, username, display_name, role, password_hash, disabled, created_at, email, email_verified, bio) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ["u1", "Ada", "Ada L'ovelace 🎬", "admin", "$2b$12$hash", false, t, "Ada@Example.org", true, "line one\nline two"])
            try db.execute(
                "INSERT INTO users(id, username, display_name, role, password_hash, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                ["u2", "bob", "Bob", "viewer", "$2b$12$other", true, t.addingTimeInterval(1)])
            try db.execute("INSERT INTO categories(id, name, created_at) VALUES ('c1', 'Films', ?)", [t])
            try db.execute("INSERT INTO channels(id, owner_id, handle, name, created_at) VALUES ('ch1', 'u1', 'Ada', 'Ada''s', ?)", [t])
            for index in 0..<videos {
                let id = "v\(index)"
                let created = t.addingTimeInterval(Double(index))
                try db.execute(
                    """
                    INSERT INTO videos(id, title, visibility, status, original_size, duration, width, height, media_info, created_at, updated_at,
                        owner_id, channel_id, category_id, description, listed_at, views)
                    VALUES (?, ?, 'public', 'ready', ?, ?, 1920, 1080, ?, ?, ?, 'u1', 'ch1', ?, ?, ?, ?)
                    """,
                    [
                        id, "Vidéo \"\(index)\" ?", 1_000_000 + index, 12.5 + Double(index) / 3, "{\"streams\":[]}", created, created,
                        (index % 2 == 0 ? "c1" : nil) as String?, "about the harbour", created, index,
                    ])
                try db.execute("INSERT INTO video_tags(video_id, tag, position) VALUES (?, 'sea', 0)", [id])
                try db.execute("INSERT INTO video_search_docs(video_id) VALUES (?)", [id])
                try db.execute(
                    "INSERT INTO video_search(rowid, title, description, tags, channel) SELECT docid, ?, 'about the harbour', 'sea', 'Ada''s' FROM video_search_docs WHERE video_id = ?",
                    ["Vidéo \(index)", id])
            }
            try db.execute("UPDATE videos SET presentation = NULL, publish_at = ?, error = NULL WHERE id = 'v0'", [t.addingTimeInterval(3600)])
            for state in ["done", "failed", "queued"] {
                try db.execute(
                    "INSERT INTO jobs(video_id, kind, state, attempts, progress, step, created_at, updated_at, owner, interruptions) VALUES ('v0', 'transcode', ?, 1, 0.75, 'encoding', ?, ?, 'host/1/1', 0)",
                    [state, t, t])
            }
            // AUTOINCREMENT: id 3 is gone but never given again; PostgreSQL's next id is 4.
            try db.execute("DELETE FROM jobs WHERE id = 3")
            try db.execute(
                "INSERT INTO uploads(id, length, upload_offset, metadata, file_path, video_id, created_at, updated_at, expires_at, owner_id, ingest_status) VALUES ('up1', 10, 10, '{}', '/tmp/x', 'v0', ?, ?, ?, 'u1', 2)",
                [t, t, t.addingTimeInterval(86400)])
            try db.execute(
                "INSERT INTO captions(video_id, language, label, is_default, size, created_at, updated_at) VALUES ('v0', 'fr', 'Français', 1, 42, ?, ?)", [t, t])
            try db.execute(
                "INSERT INTO refresh_tokens(token_hash, user_id, family_id, created_at, expires_at, used, revoked) VALUES ('rt', 'u1', 'f', ?, ?, 0, 1)",
                [t, t.addingTimeInterval(60)])
            try db.execute(
                "INSERT INTO sessions(token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, user_agent) VALUES ('s', 'u1', 'csrf', ?, ?, ?, NULL)",
                [t, t, t.addingTimeInterval(60)])
            try db.execute(
                "INSERT INTO totp_secrets(user_id, sealed_secret, enabled, last_step, created_at) VALUES ('u1', ?, 1, 59000000, ?)",
                [Self.secret, t])
            try db.execute("INSERT INTO totp_recovery_codes(user_id, code_hash) VALUES ('u1', 'a'), ('u1', 'b')")
            try db.execute(
                "INSERT INTO invitations(id, code_hash, role, max_uses, uses, created_by, created_at, expires_at) VALUES ('i1', 'ih', 'creator', 5, 1, 'u1', ?, ?)",
                [t, t.addingTimeInterval(60)])
            try db.execute("INSERT INTO password_resets(token_hash, user_id, created_at, expires_at) VALUES ('pr', 'u2', ?, ?)", [t, t])
            try db.execute(
                "INSERT INTO api_keys(id, user_id, name, prefix, key_hash, scopes, created_at, expires_at, last_used_at) VALUES ('k1', 'u1', 'ci', 'kin_', 'kh', 'videos:read', ?, NULL, ?)",
                [t, t])
            try db.execute(
                "INSERT INTO oidc_links(provider, subject, user_id, created_at, last_login_at) VALUES ('idp', 'sub', 'u1', ?, ?)", [t, t])
            try db.execute(
                "INSERT INTO oidc_logins(state_hash, provider, nonce, code_verifier, redirect_uri, return_to, mode, binding_hash, expires_at) VALUES ('st', 'idp', 'n', 'cv', 'https://x/cb', '/', 'login', 'b', ?)",
                [t])
            try db.execute("INSERT INTO oidc_exchange_codes(code_hash, user_id, expires_at) VALUES ('ec', 'u1', ?)", [t])
            try db.execute("INSERT INTO user_preferences(user_id, json, updated_at) VALUES ('u1', '{\"theme\":\"dark\"}', ?)", [t])
            try db.execute(
                "INSERT INTO watch_history(user_id, video_id, position, completed, updated_ms) VALUES ('u2', 'v0', 12.25, 1, 1780000000125)")
            try db.execute("INSERT INTO video_viewers(video_id, user_id) VALUES ('v0', 'u2')")
            try db.execute(
                "INSERT INTO playlists(id, owner_id, title, visibility, created_at, updated_at) VALUES ('p1', 'u1', 'Best', 'public', ?, ?)", [t, t])
            try db.execute("INSERT INTO playlist_items(playlist_id, video_id, position, added_at) VALUES ('p1', 'v0', 0, ?)", [t])
            try db.execute("INSERT INTO subscriptions(user_id, channel_id, created_at) VALUES ('u2', 'ch1', ?)", [t])
            try db.execute("INSERT INTO account_deletions(user_id, requested_at) VALUES ('u2', ?)", [t])
            try db.execute("INSERT INTO audio_labels(video_id, track, language, name, updated_at) VALUES ('v0', 'a1', NULL, 'Commentary', ?)", [t])
            try db.execute(
                "INSERT INTO comments(id, video_id, parent_id, author_id, body, status, created_at, likes, score, reply_count) VALUES ('cm1', 'v0', NULL, 'u1', 'First!', 'published', ?, 1, 1, 1)",
                [t])
            try db.execute(
                "INSERT INTO comments(id, video_id, parent_id, author_id, body, status, removed_reason, created_at, edited_at) VALUES ('cm2', 'v0', 'cm1', 'u2', '', 'removed', 'spam', ?, ?)",
                [t, t])
            try db.execute("INSERT INTO comment_edits(comment_id, body, edited_at) VALUES ('cm2', 'buy now', ?)", [t])
            try db.execute("INSERT INTO comment_ratings(comment_id, user_id, value, updated_at) VALUES ('cm1', 'u2', 1, ?)", [t])
            try db.execute("INSERT INTO video_ratings(video_id, user_id, value, updated_at) VALUES ('v0', 'u2', -1, ?)", [t])
            try db.execute(
                "INSERT INTO reports(id, reporter_id, target_type, target_id, reason, detail, state, created_at) VALUES ('r1', 'u2', 'comment', 'cm1', 'spam', 'ads', 'open', ?)",
                [t])
            try db.execute(
                "INSERT INTO moderation_items(id, target_type, target_id, state, hidden, created_at, updated_at) VALUES ('mi1', 'comment', 'cm1', 'open', 1, ?, ?)",
                [t, t])
            try db.execute(
                "INSERT INTO moderation_signals(item_id, kind, source, label, score, detail, created_at) VALUES ('mi1', 'classifier', 'wordlist', 'scam', 0.75, NULL, ?)",
                [t])
            try db.execute(
                "INSERT INTO moderation_audit(id, moderator_id, item_id, target_type, target_id, action, reason, created_at) VALUES ('a1', 'u1', 'mi1', 'comment', 'cm1', 'warn', 'first warning', ?)",
                [t])
            try db.execute(
                "INSERT INTO notifications(id, user_id, event, dedupe_key, data, created_at, read_at) VALUES (7, 'u2', 'comment.reply', 'comment.reply:cm2:u2', '{\"comment_id\":\"cm2\"}', ?, NULL)",
                [t])
            try db.execute(
                """
                INSERT INTO notification_outbox(id, idempotency_key, user_id, event, channel, data, state, attempts, next_attempt_at, created_at, updated_at)
                VALUES (9, 'nk1', 'u2', 'comment.reply', 'email', '{}', 'failed', 3, ?, ?, ?)
                """, [t, t, t])
            try db.execute(
                "INSERT INTO notification_preferences(user_id, event, channel, enabled, updated_at) VALUES ('u2', 'video.published', 'email', 0, ?)", [t])
            try db.execute(
                "INSERT INTO notification_settings(user_id, quiet_start, quiet_end, time_zone, updated_at) VALUES ('u2', 1320, 420, 'Europe/Paris', ?)", [t])
            try db.execute(
                "INSERT INTO push_subscriptions(id, user_id, endpoint, p256dh, auth, user_agent, created_at) VALUES ('ps1', 'u2', 'https://push.example/1', 'BP', 'au', NULL, ?)",
                [t])
            try db.execute("INSERT INTO phone_codes(user_id, phone, code_hash, attempts, expires_at) VALUES ('u2', '+33612345678', 'h', 1, ?)", [t])
            try db.execute(
                "INSERT INTO notification_fanouts(key, event, occurrence, next_after, created_at, finished_at) VALUES ('video.published-v9-', 'video.published', 'v9', 'u1', ?, NULL)",
                [t])
        }
        return database
    }

    static let secret: [UInt8] = [0, 1, 0x27, 0xfe, 0xff, 0]

    /// Every table a copy fills: the target's own list (after `migrate()`), bookkeeping aside.
    static func postgresTables(_ database: KinoraDatabase) throws -> Set<String> {
        try database.sql.read { db in
            Set(
                try db.fetchAll(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
                ).compactMap { $0["table_name"] as String? })
        }.subtracting(["kinora_migrations"])
    }

    static func count(_ database: KinoraDatabase, _ table: String) throws -> Int {
        try database.sql.read { try $0.scalar(Int.self, "SELECT COUNT(*) FROM \"\(table)\"") } ?? -1
    }
}
