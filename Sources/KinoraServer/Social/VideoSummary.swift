import Foundation
import KinoraStore

/// Who may see a video, and its short form in lists (history, playlists).
enum VideoSummary {
    static func canSee(_ video: VideoRecord, _ context: KinoraRequestContext) -> Bool {
        VideoAccess.canSee(video, context)
    }

    /// The visible videos among `ids`, by id (unknown and hidden ones left out).
    static func visible(_ ids: [String], _ context: KinoraRequestContext, database: KinoraDatabase) throws -> [String: VideoRecord] {
        try database.videos.find(ids: ids).filter { canSee($0.value, context) }
    }

    static func object(_ video: VideoRecord) -> [String: Any] {
        var object: [String: Any] = [
            "id": video.id, "title": video.title, "visibility": video.visibility, "status": video.status,
            "created_at": SocialHTTP.date(video.createdAt),
        ]
        object["duration"] = video.duration ?? NSNull()
        object["poster"] = (VideoJSON.thumbnails(video)?["poster"]) ?? NSNull()
        return object
    }
}
