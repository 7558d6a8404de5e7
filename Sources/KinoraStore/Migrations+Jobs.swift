import GRDB

extension Migrations {
    /// 0016: jobs may be `cancelled` by an administrator. SQLite cannot change a CHECK
    /// constraint in place, so the table is rebuilt with the same columns and rows.
    static func jobCancel(_ db: Database) throws {
        try db.create(table: "jobs_new") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("video_id", .text).notNull().references("videos", onDelete: .cascade)
            t.column("kind", .text).notNull()
            t.column("state", .text).notNull().check { ["queued", "running", "done", "failed", "cancelled"].contains($0) }
            t.column("attempts", .integer).notNull().defaults(to: 0)
            t.column("lease_until", .datetime)
            t.column("progress", .double).notNull().defaults(to: 0)
            t.column("step", .text)
            t.column("error", .text)
            t.column("created_at", .datetime).notNull()
            t.column("updated_at", .datetime).notNull()
            t.column("owner", .text)
            t.column("started_at", .datetime)
        }
        let columns = "id, video_id, kind, state, attempts, lease_until, progress, step, error, created_at, updated_at, owner, started_at"
        try db.execute(sql: "INSERT INTO jobs_new(\(columns)) SELECT \(columns) FROM jobs")
        try db.drop(table: "jobs")
        try db.rename(table: "jobs_new", to: "jobs")
        try db.create(index: "jobs_state", on: "jobs", columns: ["state", "id"])
        // The admin console lists newest first and a video's jobs are looked up by video.
        try db.create(index: "jobs_video", on: "jobs", columns: ["video_id"])
    }

    /// 0017: why a complete tus upload did not become a video (so a crash during its ingest
    /// is retried at the next start, or shown), and how often a job was requeued because the
    /// daemon running it died (not counted as an attempt, but capped).
    static func ingestRecovery(_ db: Database) throws {
        try db.alter(table: "uploads") { t in
            t.add(column: "ingest_status", .integer)
            t.add(column: "ingest_error", .text)
        }
        try db.alter(table: "jobs") { t in
            t.add(column: "interruptions", .integer).notNull().defaults(to: 0)
        }
    }
}
