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
        migrator.registerMigration("0014-social", migrate: social)
        return migrator
    }()
}
