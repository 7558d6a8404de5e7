/// The trending order (`sort=trending`), in the form of Reddit's "hot" rank, so that the order
/// does not depend on the time of the request and one index serves it:
///
///     trending_score = log10(max(1, views + 4·likes − 2·dislikes + 6·comments)) + listed_at / 45000 s
///
/// Engagement counts on a log scale: ten times the engagement moves a video up as much as being
/// listed 45,000 s (12.5 h) later does. A newer video thus outranks an older one unless the
/// older has earned ten times the engagement per 12.5 h between them, which is the decay. The
/// score is stored on the video and recomputed in the same `UPDATE` that changes any of its
/// inputs (a view, a rating, a comment, the listing time), so the order is always current and a
/// request never scans.
enum TrendingScore {
    /// The score of the row being updated, from its own columns (after the `SET`s before it in
    /// SQLite; PostgreSQL evaluates every `SET` expression against the old row, so callers set
    /// the score in a second statement there: see ``refresh(_:_:)``).
    static func expression(_ dialect: SQLDialect) -> String {
        let engagement = "views + 4 * likes - 2 * dislikes + 6 * comment_count"
        switch dialect {
        case .sqlite:
            return "log10(MAX(1, \(engagement))) + unixepoch(COALESCE(listed_at, created_at)) / 45000.0"
        case .postgres:
            return "log(GREATEST(1, \(engagement))::double precision) + extract(epoch from COALESCE(listed_at, created_at)) / 45000.0"
        }
    }

    /// Recomputes the stored score of `videoID` from its current columns, inside the caller's
    /// transaction: the one statement every change of an input runs after its own.
    static func refresh(_ videoID: String, _ db: any SQLConnection) throws {
        try db.execute("UPDATE videos SET trending_score = \(expression(db.dialect)) WHERE id = ?", [videoID])
    }
}
