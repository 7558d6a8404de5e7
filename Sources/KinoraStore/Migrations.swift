import GRDB

/// Versioned schema changes, applied in order at start and by `kinora migrate`. Released
/// migrations are never edited: a change is a new migration.
enum Migrations {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("0001-settings") { db in
            try db.create(table: "settings") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
                t.column("updated_at", .datetime).notNull().defaults(sql: "CURRENT_TIMESTAMP")
            }
        }
        migrator.registerMigration("0002-videos-and-jobs") { db in
            try db.create(table: "videos") { t in
                t.primaryKey("id", .text)
                t.column("title", .text).notNull()
                t.column("visibility", .text).notNull().check { ["public", "unlisted", "private"].contains($0) }
                t.column("status", .text).notNull().check { ["processing", "ready", "failed"].contains($0) }
                t.column("error", .text)
                t.column("original_key", .text)
                t.column("original_name", .text)
                t.column("original_size", .integer).notNull().defaults(to: 0)
                t.column("duration", .double)
                t.column("width", .integer)
                t.column("height", .integer)
                t.column("media_info", .text)
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
            }
            try db.create(index: "videos_created", on: "videos", columns: ["created_at", "id"])
            try db.create(table: "jobs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("video_id", .text).notNull().references("videos", onDelete: .cascade)
                t.column("kind", .text).notNull()
                t.column("state", .text).notNull().check { ["queued", "running", "done", "failed"].contains($0) }
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("lease_until", .datetime)
                t.column("progress", .double).notNull().defaults(to: 0)
                t.column("step", .text)
                t.column("error", .text)
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
            }
            try db.create(index: "jobs_state", on: "jobs", columns: ["state", "id"])
        }
        migrator.registerMigration("0003-presentation") { db in
            // What the manifests describe (the packager presentation); NULL until published.
            try db.alter(table: "videos") { t in t.add(column: "presentation", .text) }
        }
        migrator.registerMigration("0004-uploads") { db in
            // tus resumable uploads: one row per upload until it expires, or, once complete,
            // for as long as its video exists (a later HEAD still names the video).
            try db.create(table: "uploads") { t in
                t.primaryKey("id", .text)
                t.column("length", .integer).notNull().check { $0 > 0 }
                t.column("upload_offset", .integer).notNull().defaults(to: 0)
                t.column("metadata", .text).notNull().defaults(to: "{}")
                t.column("file_path", .text).notNull()
                t.column("video_id", .text).references("videos", onDelete: .cascade)
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
                t.column("expires_at", .datetime).notNull()
            }
            try db.create(index: "uploads_expiry", on: "uploads", columns: ["video_id", "expires_at"])
        }
        migrator.registerMigration("0005-job-owner") { db in
            // Which daemon process holds a running job, so a restart can take back the jobs
            // of a process that died without waiting for their leases to run out.
            try db.alter(table: "jobs") { t in t.add(column: "owner", .text) }
        }
        migrator.registerMigration("0006-job-started") { db in
            // When the current attempt began, for the ETA reported with progress.
            try db.alter(table: "jobs") { t in t.add(column: "started_at", .datetime) }
        }
        migrator.registerMigration("0007-captions") { db in
            // WebVTT caption tracks, one per language and video; the file itself is in media
            // storage. Rows go with their video, as its objects do.
            try db.create(table: "captions") { t in
                t.column("video_id", .text).notNull().references("videos", onDelete: .cascade)
                t.column("language", .text).notNull()
                t.column("label", .text).notNull()
                t.column("is_default", .boolean).notNull().defaults(to: false)
                t.column("size", .integer).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
                t.primaryKey(["video_id", "language"])
            }
        }
        migrator.registerMigration("0008-thumbnails") { db in
            // The poster, candidates and trickplay files of the last transcode (JSON).
            try db.alter(table: "videos") { t in t.add(column: "thumbnails", .text) }
        }
        migrator.registerMigration("0009-accounts") { db in
            // Accounts: the id is random (never sequential), the username unique whatever its
            // case, the password a bcrypt hash (never the password).
            try db.create(table: "users") { t in
                t.primaryKey("id", .text)
                t.column("username", .text).notNull().unique().collate(.nocase)
                t.column("display_name", .text).notNull()
                t.column("role", .text).notNull().check { ["admin", "moderator", "creator", "viewer"].contains($0) }
                t.column("password_hash", .text).notNull()
                t.column("disabled", .boolean).notNull().defaults(to: false)
                t.column("created_at", .datetime).notNull()
            }
            // Refresh tokens, stored as SHA-256 hashes. A login starts a family; each refresh
            // marks its token used and adds the next one to the family, so a used token shown
            // again (stolen and replayed) revokes the whole family.
            try db.create(table: "refresh_tokens") { t in
                t.primaryKey("token_hash", .text)
                t.column("user_id", .text).notNull().references("users", onDelete: .cascade)
                t.column("family_id", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("expires_at", .datetime).notNull()
                t.column("used", .boolean).notNull().defaults(to: false)
                t.column("revoked", .boolean).notNull().defaults(to: false)
            }
            try db.create(index: "refresh_tokens_family", on: "refresh_tokens", columns: ["family_id"])
            try db.create(index: "refresh_tokens_user", on: "refresh_tokens", columns: ["user_id"])
        }
        migrator.registerMigration("0010-catalog", migrate: catalog)
        migrator.registerMigration("0011-sessions-totp") { db in
            // Browser sessions: the cookie's SHA-256 (never the cookie), the CSRF token the
            // page must echo on unsafe requests, an absolute expiry and a coarse last-seen
            // for the idle timeout.
            try db.create(table: "sessions") { t in
                t.primaryKey("token_hash", .text)
                t.column("user_id", .text).notNull().references("users", onDelete: .cascade)
                t.column("csrf_token", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("last_seen_at", .datetime).notNull()
                t.column("expires_at", .datetime).notNull()
            }
            try db.create(index: "sessions_user", on: "sessions", columns: ["user_id"])
            // TOTP: the secret sealed with a key kept outside the database; pending until the
            // first code confirms it. last_step is the newest time step used, so no code
            // works twice.
            try db.create(table: "totp_secrets") { t in
                t.primaryKey("user_id", .text).references("users", onDelete: .cascade)
                t.column("sealed_secret", .blob).notNull()
                t.column("enabled", .boolean).notNull().defaults(to: false)
                t.column("last_step", .integer).notNull().defaults(to: 0)
                t.column("created_at", .datetime).notNull()
            }
            // One-time recovery codes, as SHA-256 hashes; a used code's row is deleted.
            try db.create(table: "totp_recovery_codes") { t in
                t.column("user_id", .text).notNull().references("users", onDelete: .cascade)
                t.column("code_hash", .text).notNull()
                t.primaryKey(["user_id", "code_hash"])
            }
        }
        migrator.registerMigration("0012-account-admin") { db in
            // Invitation codes (kept as SHA-256 hashes): `uses` only grows, and a sign-up takes
            // a use with a conditional UPDATE, so concurrent sign-ups cannot overuse a code.
            try db.create(table: "invitations") { t in
                t.primaryKey("id", .text)
                t.column("code_hash", .text).notNull().unique()
                t.column("role", .text).notNull().check { ["admin", "moderator", "creator", "viewer"].contains($0) }
                t.column("max_uses", .integer).notNull().check { $0 > 0 }
                t.column("uses", .integer).notNull().defaults(to: 0)
                t.column("created_by", .text).references("users", onDelete: .setNull)
                t.column("created_at", .datetime).notNull()
                t.column("expires_at", .datetime).notNull()
            }
            // One-time password reset tokens (SHA-256 hashes), gone once used.
            try db.create(table: "password_resets") { t in
                t.primaryKey("token_hash", .text)
                t.column("user_id", .text).notNull().references("users", onDelete: .cascade)
                t.column("created_at", .datetime).notNull()
                t.column("expires_at", .datetime).notNull()
            }
            try db.create(index: "password_resets_user", on: "password_resets", columns: ["user_id"])
            // API keys for automation: the SHA-256 of the key, a short visible prefix to tell
            // keys apart, and the scopes (space-separated) that limit what the owner's role allows.
            try db.create(table: "api_keys") { t in
                t.primaryKey("id", .text)
                t.column("user_id", .text).notNull().references("users", onDelete: .cascade)
                t.column("name", .text).notNull()
                t.column("prefix", .text).notNull()
                t.column("key_hash", .text).notNull().unique()
                t.column("scopes", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("expires_at", .datetime)
                t.column("last_used_at", .datetime)
            }
            try db.create(index: "api_keys_user", on: "api_keys", columns: ["user_id"])
            // Listing users by role, in creation order.
            try db.create(index: "users_created", on: "users", columns: ["created_at", "id"])
        }
        migrator.registerMigration("0013-oidc") { db in
            // Single sign-on. An account's email is unique whatever its case (NULLs are
            // distinct in SQLite, so accounts without one do not collide); `email_verified`
            // says someone proved the address, which linking by email requires on both sides.
            try db.alter(table: "users") { t in
                t.add(column: "email", .text)
                t.add(column: "email_verified", .boolean).notNull().defaults(to: false)
            }
            try db.execute(sql: "CREATE UNIQUE INDEX users_email ON users(email COLLATE NOCASE)")
            // Which provider's subject signs in as which account.
            try db.create(table: "oidc_links") { t in
                t.column("provider", .text).notNull()
                t.column("subject", .text).notNull()
                t.column("user_id", .text).notNull().references("users", onDelete: .cascade)
                t.column("created_at", .datetime).notNull()
                t.column("last_login_at", .datetime).notNull()
                t.primaryKey(["provider", "subject"])
            }
            try db.create(index: "oidc_links_user", on: "oidc_links", columns: ["user_id"])
            // Logins under way (state → nonce, PKCE verifier, ...), single use, 10 minutes;
            // in the database, not in memory, so any daemon sharing it can take the callback.
            try db.create(table: "oidc_logins") { t in
                t.primaryKey("state_hash", .text)
                t.column("provider", .text).notNull()
                t.column("nonce", .text).notNull()
                t.column("code_verifier", .text).notNull()
                t.column("redirect_uri", .text).notNull()
                t.column("return_to", .text).notNull()
                t.column("mode", .text).notNull()
                t.column("binding_hash", .text).notNull()
                t.column("expires_at", .datetime).notNull()
            }
            // One-time codes a browser trades for tokens after a login (60 s, single use).
            try db.create(table: "oidc_exchange_codes") { t in
                t.primaryKey("code_hash", .text)
                t.column("user_id", .text).notNull().references("users", onDelete: .cascade)
                t.column("expires_at", .datetime).notNull()
            }
        }
        migrator.registerMigration("0014-social", migrate: social)
        // Which browser a session is, so the settings page can tell sessions apart.
        migrator.registerMigration("0015-session-agent") { db in
            try db.alter(table: "sessions") { t in t.add(column: "user_agent", .text) }
        }
        migrator.registerMigration("0016-job-cancel", migrate: jobCancel)
        migrator.registerMigration("0017-upload-ingest-and-job-interruptions", migrate: ingestRecovery)
        migrator.registerMigration("0018-audio-labels") { db in
            // The language and name a video's owner gave its audio tracks, over the source's
            // tags; the manifests are written with them. Rows go with their video.
            try db.create(table: "audio_labels") { t in
                t.column("video_id", .text).notNull().references("videos", onDelete: .cascade)
                t.column("track", .text).notNull()
                t.column("language", .text)
                t.column("name", .text)
                t.column("updated_at", .datetime).notNull()
                t.primaryKey(["video_id", "track"])
            }
        }
        migrator.registerMigration("0019-comments-ratings", migrate: commentsAndRatings)
        // The claim walks jobs by id: without this it stepped over every finished job first
        // (10,825 rows, 1.6 ms per claim halfway through 20,000 jobs on PostgreSQL).
        migrator.registerMigration("0020-claimable-jobs") { db in
            try db.execute(sql: "CREATE INDEX jobs_claimable ON jobs(id) WHERE state IN ('queued', 'running')")
        }
        migrator.registerMigration("0021-moderation", migrate: moderation)
        // A video hidden by reports or a classifier: out of every listing and watch page but
        // its owner's and moderators' until a decision releases it. A column, not a change of
        // visibility, so the owner's own setting survives and cannot undo the hold.
        migrator.registerMigration("0022-video-moderation-hold") { db in
            try db.execute(sql: "ALTER TABLE videos ADD COLUMN moderation_hold BOOLEAN NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("0023-notifications", migrate: notifications)
        migrator.registerMigration("0024-notification-fanouts", migrate: notificationFanouts)
        return migrator
    }()
}
