import GRDB

extension Migrations {
    /// 0019-comments-ratings: comments (replies to any depth, an edit history, tombstones),
    /// likes and dislikes of videos and comments with their counters, the comment switches of
    /// videos and channels, a pinned comment, and the stored trending score.
    static func commentsAndRatings(_ db: Database) throws {
        try db.execute(sql: sharedCommentsSQL(text: "TEXT", integer: "INTEGER", date: "DATETIME", boolean: "BOOLEAN", real: "REAL"))
        // SQLite stores booleans as 0/1: the defaults are spelled so.
        try db.execute(
            sql: """
                ALTER TABLE videos ADD COLUMN likes INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE videos ADD COLUMN dislikes INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE videos ADD COLUMN comment_count INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE videos ADD COLUMN comments_enabled BOOLEAN NOT NULL DEFAULT 1;
                ALTER TABLE videos ADD COLUMN pinned_comment_id TEXT;
                ALTER TABLE videos ADD COLUMN trending_score REAL NOT NULL DEFAULT 0;
                ALTER TABLE channels ADD COLUMN comments_enabled BOOLEAN NOT NULL DEFAULT 1;
                UPDATE videos SET trending_score = \(TrendingScore.expression(.sqlite));
                CREATE INDEX videos_public_trending ON videos(visibility, trending_score, id);
                CREATE INDEX videos_trending ON videos(trending_score, id);
                CREATE INDEX videos_category_trending ON videos(category_id, trending_score, id);
                """)
    }

    /// The tables both engines spell alike but for their type names.
    static func sharedCommentsSQL(text: String, integer: String, date: String, boolean: String, real: String) -> String {
        """
        CREATE TABLE comments (
            id \(text) PRIMARY KEY,
            video_id \(text) NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
            parent_id \(text) REFERENCES comments(id) ON DELETE CASCADE,
            author_id \(text) REFERENCES users(id) ON DELETE SET NULL,
            body \(text) NOT NULL,
            status \(text) NOT NULL CHECK (status IN ('published', 'held', 'removed', 'deleted')),
            removed_reason \(text),
            created_at \(date) NOT NULL,
            edited_at \(date),
            likes \(integer) NOT NULL DEFAULT 0,
            dislikes \(integer) NOT NULL DEFAULT 0,
            score \(integer) NOT NULL DEFAULT 0,
            reply_count \(integer) NOT NULL DEFAULT 0
        );
        CREATE INDEX comments_new ON comments(video_id, parent_id, created_at, id);
        CREATE INDEX comments_top ON comments(video_id, parent_id, score, created_at, id);
        CREATE INDEX comments_replies ON comments(parent_id, created_at, id);
        CREATE INDEX comments_author ON comments(author_id, created_at);
        CREATE TABLE comment_edits (
            comment_id \(text) NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
            body \(text) NOT NULL,
            edited_at \(date) NOT NULL,
            PRIMARY KEY (comment_id, edited_at)
        );
        CREATE TABLE comment_ratings (
            comment_id \(text) NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
            user_id \(text) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            value \(integer) NOT NULL CHECK (value IN (1, -1)),
            updated_at \(date) NOT NULL,
            PRIMARY KEY (comment_id, user_id)
        );
        CREATE INDEX comment_ratings_user ON comment_ratings(user_id);
        CREATE TABLE video_ratings (
            video_id \(text) NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
            user_id \(text) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            value \(integer) NOT NULL CHECK (value IN (1, -1)),
            updated_at \(date) NOT NULL,
            PRIMARY KEY (video_id, user_id)
        );
        CREATE INDEX video_ratings_user ON video_ratings(user_id);
        """
    }
}
