import GRDB

extension Migrations {
    /// 0010-catalog: channels, categories, video metadata and ownership, tags, full-text search.
    static func catalog(_ db: Database) throws {
        // A channel belongs to one account; handles are unique whatever their case.
        try db.create(table: "channels") { t in
            t.primaryKey("id", .text)
            t.column("owner_id", .text).notNull().references("users", onDelete: .cascade)
            t.column("handle", .text).notNull().unique().collate(.nocase)
            t.column("name", .text).notNull()
            t.column("description", .text).notNull().defaults(to: "")
            t.column("created_at", .datetime).notNull()
        }
        try db.create(index: "channels_owner", on: "channels", columns: ["owner_id", "created_at", "id"])
        // Categories are admin-chosen slugs; deleting one leaves its videos uncategorized.
        try db.create(table: "categories") { t in
            t.primaryKey("id", .text)
            t.column("name", .text).notNull()
            t.column("created_at", .datetime).notNull()
        }
        try db.alter(table: "videos") { t in
            // Both NULL for uploads made with the bootstrap token (they belong to no account).
            t.add(column: "owner_id", .text).references("users", onDelete: .setNull)
            t.add(column: "channel_id", .text).references("channels", onDelete: .setNull)
            t.add(column: "description", .text).notNull().defaults(to: "")
            t.add(column: "category_id", .text).references("categories", onDelete: .setNull)
            t.add(column: "language", .text)
            t.add(column: "license", .text)
            t.add(column: "publish_at", .datetime)
            // publish_at when scheduled, else created_at: the "newest" sort key and the date
            // range filters, stored so one index serves them; listed once it is in the past.
            t.add(column: "listed_at", .datetime)
            t.add(column: "views", .integer).notNull().defaults(to: 0)
        }
        try db.execute(sql: "UPDATE videos SET listed_at = created_at")
        // One index per sort, led by visibility so the public listing is a range scan, and the
        // same without it for admins' all=true; and one per filter that narrows a lot (channel,
        // owner, category), ordered for "newest".
        try db.execute(
            sql: """
                CREATE INDEX videos_public_newest ON videos(visibility, listed_at, id);
                CREATE INDEX videos_public_views ON videos(visibility, views, id);
                CREATE INDEX videos_public_title ON videos(visibility, title COLLATE NOCASE, id);
                CREATE INDEX videos_listed ON videos(listed_at, id);
                CREATE INDEX videos_views ON videos(views, id);
                CREATE INDEX videos_title ON videos(title COLLATE NOCASE, id);
                CREATE INDEX videos_channel ON videos(channel_id, listed_at, id);
                CREATE INDEX videos_owner ON videos(owner_id, listed_at, id);
                CREATE INDEX videos_category ON videos(category_id, listed_at, id);
                """)
        // The latest job of a video is read for every video shown; without this it was a scan.
        try db.create(index: "jobs_video", on: "jobs", columns: ["video_id", "id"])
        // Tags, normalized lower case; position keeps the order the creator gave.
        try db.create(table: "video_tags") { t in
            t.column("video_id", .text).notNull().references("videos", onDelete: .cascade)
            t.column("tag", .text).notNull()
            t.column("position", .integer).notNull()
            t.primaryKey(["video_id", "tag"])
        }
        try db.create(index: "video_tags_tag", on: "video_tags", columns: ["tag", "video_id"])
        // Full-text search. The FTS rowid comes from video_search_docs (an INTEGER PRIMARY KEY,
        // which VACUUM keeps, unlike the implicit rowid of videos); deleting a video cascades
        // to its doc row, whose trigger drops the indexed text.
        try db.execute(
            sql: """
                CREATE TABLE video_search_docs(
                    docid INTEGER PRIMARY KEY,
                    video_id TEXT NOT NULL UNIQUE REFERENCES videos(id) ON DELETE CASCADE);
                CREATE VIRTUAL TABLE video_search USING fts5(title, description, tags, channel,
                    tokenize = 'unicode61 remove_diacritics 2');
                CREATE TRIGGER video_search_docs_delete AFTER DELETE ON video_search_docs BEGIN
                    DELETE FROM video_search WHERE rowid = old.docid;
                END;
                INSERT INTO video_search_docs(video_id) SELECT id FROM videos;
                INSERT INTO video_search(rowid, title, description, tags, channel)
                    SELECT d.docid, v.title, '', '', '' FROM video_search_docs d JOIN videos v ON v.id = d.video_id;
                """)
        // Who started a tus upload: its video belongs to them once complete.
        try db.alter(table: "uploads") { t in t.add(column: "owner_id", .text).references("users", onDelete: .cascade) }
    }
}
