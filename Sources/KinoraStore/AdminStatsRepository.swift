import Foundation

/// Counts and sums for the admin console's dashboard, straight from the database. Runs on
/// both backends.
public struct AdminStatsRepository: Sendable {
    let db: any SQLDatabase

    public struct Totals: Sendable, Equatable {
        public var users: Int
        public var videos: Int
        public var originalBytes: Int64
    }

    public func totals() throws -> Totals {
        try db.read { db in
            Totals(
                users: try db.scalar(Int.self, "SELECT COUNT(*) FROM users") ?? 0,
                videos: try db.scalar(Int.self, "SELECT COUNT(*) FROM videos") ?? 0,
                // PostgreSQL's SUM of bigints is a numeric: cast back, so it reads as an integer.
                originalBytes: try db.scalar(
                    Int64.self, "SELECT CAST(COALESCE(SUM(original_size), 0) AS BIGINT) FROM videos WHERE original_key IS NOT NULL") ?? 0)
        }
    }

    /// Each video's id, title and original size, for the storage table.
    public func originals() throws -> [(id: String, title: String, bytes: Int64)] {
        try db.read { db in
            try db.fetchAll("SELECT id, title, original_size FROM videos WHERE original_key IS NOT NULL ORDER BY id").map {
                (try $0.value("id"), try $0.value("title"), try $0.value("original_size"))
            }
        }
    }

    /// Videos created on each of the `days` UTC days ending with `now`'s, oldest first; days
    /// without uploads are there with 0, so a chart has no gaps.
    public func uploadsPerDay(days: Int, now: Date = Date()) throws -> [(day: String, count: Int)] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        let today = calendar.startOfDay(for: now)
        let first = calendar.date(byAdding: .day, value: -(days - 1), to: today) ?? today
        let counts = try db.read { db in
            var counts: [String: Int] = [:]
            let day: String
            switch db.dialect {
            // Dates are stored as "yyyy-MM-dd HH:mm:ss.SSS" text (UTC): the first ten characters are the day.
            case .sqlite: day = "substr(created_at, 1, 10)"
            case .postgres: day = "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
            }
            for row in try db.fetchAll("SELECT \(day) AS day, COUNT(*) AS count FROM videos WHERE created_at >= ? GROUP BY 1", [first]) {
                counts[try row.value("day")] = try row.value("count")
            }
            return counts
        }
        return (0..<days).map { offset in
            let day = String((calendar.date(byAdding: .day, value: offset, to: first) ?? first).storageText.prefix(10))
            return (day, counts[day] ?? 0)
        }
    }

    /// The latest failed (or cancelled) jobs with their reasons, newest first.
    public func recentFailures(limit: Int) throws -> [AdminJob] {
        let failed = try JobQueue(db: db).list(state: "failed", before: nil, limit: limit).items
        let cancelled = try JobQueue(db: db).list(state: "cancelled", before: nil, limit: limit).items
        return Array((failed + cancelled).sorted { $0.updatedAt > $1.updatedAt }.prefix(limit))
    }
}

extension KinoraDatabase {
    public var adminStats: AdminStatsRepository { AdminStatsRepository(db: sql) }
}
