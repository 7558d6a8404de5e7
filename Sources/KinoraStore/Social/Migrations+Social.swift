import GRDB

extension Migrations {
    /// 0014-social: what an account keeps beside its login: profile text and avatar, settings,
    /// watch history, playlists, channel subscriptions, and the pending deletions that make
    /// account removal durable. Needs 0010-catalog (channels).
    static func social(_ db: Database) throws {
        try db.alter(table: "users") { t in
            t.add(column: "bio", .text).notNull().defaults(to: "")
            // A random version of the stored avatar pair (NULL: none); it changes with every
            // upload, so it is the avatar's ETag and a URL cache-buster.
            t.add(column: "avatar_version", .text)
        }
        // One JSON object per account, only the keys the account has set; defaults are not stored.
        try db.create(table: "user_preferences") { t in
            t.primaryKey("user_id", .text).references("users", onDelete: .cascade)
            t.column("json", .text).notNull()
            t.column("updated_at", .datetime).notNull()
        }
        // Resume positions. updated_ms (Unix milliseconds) orders the history page by page.
        try db.create(table: "watch_history") { t in
            t.column("user_id", .text).notNull().references("users", onDelete: .cascade)
            t.column("video_id", .text).notNull().references("videos", onDelete: .cascade)
            t.column("position", .double).notNull()
            t.column("completed", .boolean).notNull().defaults(to: false)
            t.column("updated_ms", .integer).notNull()
            t.primaryKey(["user_id", "video_id"])
        }
        try db.create(index: "watch_history_recent", on: "watch_history", columns: ["user_id", "updated_ms", "video_id"])
        // Who has been counted as a viewer of a video: clearing the history must not let the
        // same account count again.
        try db.create(table: "video_viewers") { t in
            t.column("video_id", .text).notNull().references("videos", onDelete: .cascade)
            t.column("user_id", .text).notNull().references("users", onDelete: .cascade)
            t.primaryKey(["video_id", "user_id"])
        }
        try db.create(index: "video_viewers_user", on: "video_viewers", columns: ["user_id"])
        try db.create(table: "playlists") { t in
            t.primaryKey("id", .text)
            t.column("owner_id", .text).notNull().references("users", onDelete: .cascade)
            t.column("title", .text).notNull()
            t.column("description", .text).notNull().defaults(to: "")
            t.column("visibility", .text).notNull().check { ["public", "unlisted", "private"].contains($0) }
            t.column("created_at", .datetime).notNull()
            t.column("updated_at", .datetime).notNull()
        }
        try db.create(index: "playlists_owner", on: "playlists", columns: ["owner_id", "visibility"])
        // position orders the items; it is kept dense (0…n-1) by every change but a video's
        // deletion, whose gap orders just as well.
        try db.create(table: "playlist_items") { t in
            t.column("playlist_id", .text).notNull().references("playlists", onDelete: .cascade)
            t.column("video_id", .text).notNull().references("videos", onDelete: .cascade)
            t.column("position", .integer).notNull()
            t.column("added_at", .datetime).notNull()
            t.primaryKey(["playlist_id", "video_id"])
        }
        try db.create(index: "playlist_items_order", on: "playlist_items", columns: ["playlist_id", "position"])
        try db.create(index: "playlist_items_video", on: "playlist_items", columns: ["video_id"])
        // The feed walks an account's subscriptions (this primary key) into videos_channel;
        // subscriptions_channel counts a channel's subscribers.
        try db.create(table: "subscriptions") { t in
            t.column("user_id", .text).notNull().references("users", onDelete: .cascade)
            t.column("channel_id", .text).notNull().references("channels", onDelete: .cascade)
            t.column("created_at", .datetime).notNull()
            t.primaryKey(["user_id", "channel_id"])
        }
        try db.create(index: "subscriptions_channel", on: "subscriptions", columns: ["channel_id"])
        try db.create(index: "subscriptions_recent", on: "subscriptions", columns: ["user_id", "created_at"])
        // Accounts being deleted: the row is written (and the account disabled) before any
        // object is removed, and goes with the account's own row at the end, so a deletion cut
        // short is finished at the next start instead of leaving orphans.
        try db.create(table: "account_deletions") { t in
            t.primaryKey("user_id", .text).references("users", onDelete: .cascade)
            t.column("requested_at", .datetime).notNull()
        }
    }
}
