import Foundation

/// A target's counts after a rating change, and the caller's rating.
public struct RatingCounts: Sendable, Hashable {
    public var likes: Int
    public var dislikes: Int
    public var myRating: Rating

    public init(likes: Int, dislikes: Int, myRating: Rating) {
        self.likes = likes
        self.dislikes = dislikes
        self.myRating = myRating
    }
}

/// Likes and dislikes of videos and comments: one rating row per account and target
/// (`video_ratings`, `comment_ratings`), and counters on the target kept exact under
/// concurrency on both backends.
///
/// A change runs in one transaction: it takes the caller's one rating row (`FOR UPDATE` on
/// PostgreSQL; SQLite's single writer serialises it anyway), inserts it with
/// `ON CONFLICT DO NOTHING` when absent, and moves the target's counters by the difference
/// between that row's old and new value: `likes = likes + ?`. No count read earlier is ever
/// written back, so any number of nodes may rate at once; only the same account's concurrent
/// changes of one target wait for each other, on that row. A comment's `score` moves in the
/// same `UPDATE`; a video's trending score is refreshed in the same transaction.
public struct RatingRepository: Sendable {
    let db: any SQLDatabase

    /// Sets `userID`'s rating of the video; nil when the video does not exist.
    @discardableResult
    public func rateVideo(videoID: String, userID: String, rating: Rating, now: Date = Date()) throws -> RatingCounts? {
        try rate(.video, targetID: videoID, userID: userID, rating: rating, now: now)
    }

    /// Sets `userID`'s rating of the comment; nil when the comment does not exist.
    @discardableResult
    public func rateComment(commentID: String, userID: String, rating: Rating, now: Date = Date()) throws -> RatingCounts? {
        try rate(.comment, targetID: commentID, userID: userID, rating: rating, now: now)
    }

    /// The account's rating of one video.
    public func myVideoRating(videoID: String, userID: String) throws -> Rating {
        try myRatings(.video, ids: [videoID], userID: userID)[videoID] ?? Rating.none
    }

    /// The account's ratings of the videos of a listing page; videos it has not rated are absent.
    public func myRatings(videoIDs: some Collection<String>, userID: String) throws -> [String: Rating] {
        try myRatings(.video, ids: Array(videoIDs), userID: userID)
    }

    /// The account's ratings of the comments of a page; comments it has not rated are absent.
    public func myCommentRatings(commentIDs: some Collection<String>, userID: String) throws -> [String: Rating] {
        try myRatings(.comment, ids: Array(commentIDs), userID: userID)
    }

    /// Withdraws every rating of the account, counters following: what deleting the account
    /// must run first, since the rows' cascade alone would leave the counts too high.
    public func withdrawAll(userID: String, now: Date = Date()) throws {
        for target in [Target.video, .comment] {
            let ids = try db.read { db in
                try db.fetchAll("SELECT \(target.key) FROM \(target.ratings) WHERE user_id = ? ORDER BY \(target.key)", [userID]).map {
                    try $0.value(target.key, as: String.self)
                }
            }
            for id in ids { _ = try rate(target, targetID: id, userID: userID, rating: .none, now: now) }
        }
    }

    // MARK: - Both targets

    /// Where a target's ratings and counters live.
    enum Target {
        case video, comment

        var ratings: String { self == .video ? "video_ratings" : "comment_ratings" }
        var key: String { self == .video ? "video_id" : "comment_id" }
        var table: String { self == .video ? "videos" : "comments" }
    }

    func rate(_ target: Target, targetID: String, userID: String, rating: Rating, now: Date) throws -> RatingCounts? {
        do {
            return try db.write { db in
                guard let old = try Self.takeRow(db, target, targetID: targetID, userID: userID, rating: rating, now: now) else { return nil }
                let new = rating.value
                if old != 0, new == 0 {
                    try db.execute("DELETE FROM \(target.ratings) WHERE \(target.key) = ? AND user_id = ?", [targetID, userID])
                } else if old != 0, old != new {
                    try db.execute(
                        "UPDATE \(target.ratings) SET value = ?, updated_at = ? WHERE \(target.key) = ? AND user_id = ?",
                        [new, now, targetID, userID])
                }
                // The difference of this one row, which this transaction holds.
                let likes = (new == 1 ? 1 : 0) - (old == 1 ? 1 : 0)
                let dislikes = (new == -1 ? 1 : 0) - (old == -1 ? 1 : 0)
                if likes != 0 || dislikes != 0 {
                    switch target {
                    case .video:
                        try db.execute("UPDATE videos SET likes = likes + ?, dislikes = dislikes + ? WHERE id = ?", [likes, dislikes, targetID])
                        try TrendingScore.refresh(targetID, db)
                    case .comment:
                        try db.execute(
                            "UPDATE comments SET likes = likes + ?, dislikes = dislikes + ?, score = score + ? WHERE id = ?",
                            [likes, dislikes, likes - dislikes, targetID])
                    }
                }
                guard let row = try db.fetchOne("SELECT likes, dislikes FROM \(target.table) WHERE id = ?", [targetID]) else { return nil }
                return RatingCounts(likes: try row.value("likes"), dislikes: try row.value("dislikes"), myRating: rating)
            }
        } catch SQLError.constraint {
            // The target (or the account) is gone: the rating row's foreign key.
            return nil
        }
    }

    /// Takes the caller's rating row and returns its value before this change (0: there was
    /// none). When there is none and the new rating is one, the row is inserted with the new
    /// value, so the caller holds it either way. Nil when the target does not exist.
    ///
    /// On PostgreSQL a concurrent request of the same account may insert or delete the row
    /// between the look and the insert: `ON CONFLICT DO NOTHING` waits for it and inserts
    /// nothing, and the loop looks again (under lock) until one of the two holds.
    static func takeRow(_ db: any SQLConnection, _ target: Target, targetID: String, userID: String, rating: Rating, now: Date) throws -> Int? {
        let lock = db.dialect == .postgres ? " FOR UPDATE" : ""
        // Each turn follows another request's commit; a handful is already unlikely.
        for _ in 0..<100 {
            if let old = try db.scalar(Int.self, "SELECT value FROM \(target.ratings) WHERE \(target.key) = ? AND user_id = ?" + lock, [targetID, userID]) {
                return old
            }
            if rating == .none {
                // Nothing to delete; the target must still exist for the answer.
                return try db.fetchOne("SELECT 1 FROM \(target.table) WHERE id = ?", [targetID]) == nil ? nil : 0
            }
            let inserted = try db.execute(
                "INSERT INTO \(target.ratings)(\(target.key), user_id, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [targetID, userID, rating.value, now])
            if inserted > 0 { return 0 }
        }
        throw SQLError.statement("the rating of \(targetID) by \(userID) kept changing under this request")
    }

    func myRatings(_ target: Target, ids: [String], userID: String) throws -> [String: Rating] {
        guard !ids.isEmpty else { return [:] }
        return try db.read { db in
            var ratings: [String: Rating] = [:]
            var start = 0
            while start < ids.count {
                let chunk = Array(ids[start..<min(ids.count, start + 500)])
                start += chunk.count
                let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                let rows = try db.fetchAll(
                    "SELECT \(target.key) AS id, value FROM \(target.ratings) WHERE user_id = ? AND \(target.key) IN (\(placeholders))",
                    [userID] + chunk)
                for row in rows { ratings[try row.value("id")] = Rating(value: try row.value("value", as: Int.self)) }
            }
            return ratings
        }
    }
}

extension KinoraDatabase {
    /// Likes and dislikes of videos and comments.
    public var ratings: RatingRepository { RatingRepository(db: sql) }
}
