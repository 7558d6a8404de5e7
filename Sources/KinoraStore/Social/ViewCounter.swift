import GRDB

/// The one place a view is counted.
enum ViewCounter {
    /// Adds one view to the video (the catalog's `views`, its "most viewed" sort), inside the
    /// caller's transaction.
    static func countView(_ db: Database, videoID: String) throws {
        try db.execute(sql: "UPDATE videos SET views = views + 1 WHERE id = ?", arguments: [videoID])
    }
}
