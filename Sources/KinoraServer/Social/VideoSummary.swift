import Foundation
import KinoraCore
import KinoraStore

/// A video's short form in lists (history, playlists).
enum VideoSummary {
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
