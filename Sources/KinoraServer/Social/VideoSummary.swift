import Foundation
import KinoraStore

/// Who may see a video, and its short form in lists (history, playlists).
enum VideoSummary {
    /// The video visibility rule, in one place for the social routes.
    static func canSee(_ video: VideoRecord, _ context: KinoraRequestContext) -> Bool {
        video.visibility != "private" || context.principal?.isAdmin == true
    }

    /// The visible videos among `ids`, by id (unknown and hidden ones left out).
    static func visible(_ ids: [String], _ context: KinoraRequestContext, database: KinoraDatabase) throws -> [String: VideoRecord] {
        var found: [String: VideoRecord] = [:]
        for id in Set(ids) {
            if let video = try database.videos.find(id), canSee(video, context) { found[id] = video }
        }
        return found
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
