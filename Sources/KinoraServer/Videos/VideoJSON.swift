import Foundation
import KinoraStore

/// The API shape of a video (`GET /api/v1/videos/{id}`), shared by every route that returns one.
enum VideoJSON {
    static func object(_ video: VideoRecord, job: (state: String, progress: Double, step: String?)?) -> [String: Any] {
        var object: [String: Any] = [
            "id": video.id,
            "title": video.title,
            "visibility": video.visibility,
            "status": video.status,
            "playable": false,
            "renditions": [Any](),
            "created_at": ISO8601DateFormatter().string(from: video.createdAt),
            "progress": [
                "percent": Int(((job?.progress ?? 0) * 100).rounded()),
                "step": job?.step ?? (job?.state == "queued" ? "queued" : NSNull()),
                "eta_seconds": NSNull(),
            ] as [String: Any],
        ]
        object["error"] = video.error ?? NSNull()
        object["duration"] = video.duration ?? NSNull()
        object["width"] = video.width ?? NSNull()
        object["height"] = video.height ?? NSNull()
        object["original_name"] = video.originalName ?? NSNull()
        object["original_size"] = video.originalSize
        return object
    }

    static func data(_ object: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}
