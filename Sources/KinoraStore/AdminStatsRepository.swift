import Foundation
import GRDB

/// Counts and sums for the admin console's dashboard, straight from the database.
public struct AdminStatsRepository: Sendable {
    let writer: DatabasePool

    public struct Totals: Sendable, Equatable {
        public var users: Int
        public var videos: Int
        public var originalBytes: Int64
    }

    public func totals() throws -> Totals {
        try writer.read { db in
            Totals(
                users: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users") ?? 0,
                videos: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM videos") ?? 0,
                originalBytes: try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(original_size), 0) FROM videos WHERE original_key IS NOT NULL") ?? 0)
        }
    }

    /// Each video's id, title and original size, for the storage table.
    public func originals() throws -> [(id: String, title: String, bytes: Int64)] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, title, original_size FROM videos WHERE original_key IS NOT NULL").map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// Videos created on each of the `days` UTC days ending with `now`'s, oldest first; days
    /// without uploads are there with 0, so a chart has no gaps.
    public func uploadsPerDay(days: Int, now: Date = Date()) throws -> [(day: String, count: Int)] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        let today = calendar.startOfDay(for: now)
        let first = calendar.date(byAdding: .day, value: -(days - 1), to: today) ?? today
        let counts = try writer.read { db in
            var counts: [String: Int] = [:]
            // Dates are stored as "yyyy-MM-dd HH:mm:ss.SSS" text: the first ten characters are the day.
            for row in try Row.fetchAll(
                db, sql: "SELECT substr(created_at, 1, 10) AS day, COUNT(*) FROM videos WHERE created_at >= ? GROUP BY day",
                arguments: [first.storageText])
            {
                counts[row[0]] = row[1]
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
        let failed = try JobQueue(db: SQLiteDatabase(pool: writer)).list(state: "failed", before: nil, limit: limit).items
        let cancelled = try JobQueue(db: SQLiteDatabase(pool: writer)).list(state: "cancelled", before: nil, limit: limit).items
        return Array((failed + cancelled).sorted { $0.updatedAt > $1.updatedAt }.prefix(limit))
    }
}

extension KinoraDatabase {
    public var adminStats: AdminStatsRepository { AdminStatsRepository(writer: writer) }
}
