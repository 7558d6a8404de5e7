/// The one place a view is counted.
enum ViewCounter {
    /// Adds one view to the video (the catalog's `views`, its "most viewed" sort), inside the
    /// caller's transaction. One `UPDATE … SET views = views + 1`: the row lock the update takes
    /// on PostgreSQL keeps concurrent views from overwriting each other, as SQLite's single writer does.
    static func countView(_ db: any SQLConnection, videoID: String) throws {
        try db.execute("UPDATE videos SET views = views + 1 WHERE id = ?", [videoID])
        try TrendingScore.refresh(videoID, db)
    }
}
