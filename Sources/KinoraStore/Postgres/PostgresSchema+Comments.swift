extension PostgresMigrations {
    static let commentsAndRatings =
        Migrations.sharedCommentsSQL(text: "text", integer: "bigint", date: "timestamptz", boolean: "boolean", real: "double precision")
        + """

        ALTER TABLE videos
            ADD COLUMN likes bigint NOT NULL DEFAULT 0,
            ADD COLUMN dislikes bigint NOT NULL DEFAULT 0,
            ADD COLUMN comment_count bigint NOT NULL DEFAULT 0,
            ADD COLUMN comments_enabled boolean NOT NULL DEFAULT true,
            ADD COLUMN pinned_comment_id text,
            ADD COLUMN trending_score double precision NOT NULL DEFAULT 0;
        ALTER TABLE channels ADD COLUMN comments_enabled boolean NOT NULL DEFAULT true;
        UPDATE videos SET trending_score = \(TrendingScore.expression(.postgres));
        CREATE INDEX videos_public_trending ON videos(visibility, trending_score, id);
        CREATE INDEX videos_trending ON videos(trending_score, id);
        CREATE INDEX videos_category_trending ON videos(category_id, trending_score, id);
        """
}
