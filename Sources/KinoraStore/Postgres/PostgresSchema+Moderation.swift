extension PostgresMigrations {
    static let moderation =
        Migrations.moderationSQL(text: "text", date: "timestamptz", real: "double precision", boolean: "boolean", falseValue: "false")
        + """

        ALTER TABLE users ADD COLUMN suspended_until timestamptz, ADD COLUMN banned_at timestamptz;
        """
}
