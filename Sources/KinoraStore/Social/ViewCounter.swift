import GRDB

/// The one place a view is counted, so the counter it feeds can change in one line.
enum ViewCounter {
    /// Adds one view to the video, inside the caller's transaction. Until the catalog's
    /// `videos.views` column exists, `video_viewers` alone records who watched.
    static func countView(_ db: Database, videoID: String) throws {
        guard try db.columns(in: "videos").contains(where: { $0.name == "views" }) else { return }
        try db.execute(sql: "UPDATE videos SET views = views + 1 WHERE id = ?", arguments: [videoID])
    }
}
