import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraStore

/// The API shape of a video (`GET /api/v1/videos/{id}`), shared by every route that returns one.
enum VideoJSON {
    /// The full shape, from everything the store read in one go.
    static func object(_ details: VideoDetails) -> [String: Any] {
        object(
            details.video, job: details.job.map { ($0.state, $0.progress, $0.step) }, presentation: details.presentation,
            etaSeconds: details.job?.etaSeconds, captions: details.captions, channel: details.channel, tags: details.tags)
    }

    static func object(
        _ video: VideoRecord, job: (state: String, progress: Double, step: String?)?, presentation: String? = nil,
        etaSeconds: Int? = nil, captions: [CaptionRecord] = [], channel: ChannelRecord? = nil, tags: [String] = []
    ) -> [String: Any] {
        let published = presentation.flatMap { try? JSONValue(parsing: $0) }
        let renditions: [[String: Any]] =
            published?["renditions"]?.arrayValue?.map { rendition in
                var entry: [String: Any] = ["id": rendition["id"]?.stringValue ?? "", "type": rendition["type"]?.stringValue ?? ""]
                entry["codecs"] = rendition["codecs"]?.stringValue
                entry["bandwidth"] = rendition["bandwidth"]?.intValue.map { Int($0) }
                entry["average_bandwidth"] = rendition["average_bandwidth"]?.intValue.map { Int($0) }
                entry["width"] = rendition["width"]?.intValue.map { Int($0) }
                entry["height"] = rendition["height"]?.intValue.map { Int($0) }
                if rendition["passthrough"]?.boolValue == true { entry["passthrough"] = true }
                return entry
            } ?? []
        var object: [String: Any] = [
            "id": video.id,
            "title": video.title,
            "visibility": video.visibility,
            "status": video.status,
            "playable": published != nil,
            "renditions": renditions,
            "captions": captions.map(CaptionJSON.object),
            "created_at": RFC3339.string(video.createdAt),
            "progress": [
                "percent": Int(((job?.progress ?? 0) * 100).rounded()),
                "step": job?.step ?? (job?.state == "queued" ? "queued" : NSNull()),
                "eta_seconds": etaSeconds.map { $0 as Any } ?? NSNull(),
            ] as [String: Any],
        ]
        object["error"] = video.error ?? NSNull()
        object["duration"] = video.duration ?? NSNull()
        object["width"] = video.width ?? NSNull()
        object["height"] = video.height ?? NSNull()
        object["original_name"] = video.originalName ?? NSNull()
        object["original_size"] = video.originalSize
        if let published {
            // While the first pass grows only HLS is written (its EVENT playlists start players
            // at the beginning; a dynamic MPD would start them at the live edge).
            let growing = published["complete"]?.boolValue == false
            object["manifests"] =
                growing
                ? ["hls": "/streams/\(video.id)/master.m3u8"]
                : ["hls": "/streams/\(video.id)/master.m3u8", "dash": "/streams/\(video.id)/manifest.mpd"]
        }
        object["thumbnails"] = thumbnails(video) ?? NSNull()
        object["description"] = video.description
        object["tags"] = tags
        object["category"] = video.categoryID ?? NSNull()
        object["language"] = video.language ?? NSNull()
        object["license"] = video.license ?? NSNull()
        object["publish_at"] = video.publishAt.map(RFC3339.string) ?? NSNull()
        object["published_at"] = RFC3339.string(video.listedAt)
        object["views"] = video.views
        object["likes"] = video.likes
        object["dislikes"] = video.dislikes
        object["comment_count"] = video.commentCount
        object["comments_enabled"] = video.commentsEnabled
        object["owner"] = video.ownerID ?? NSNull()
        if let channel {
            object["channel"] = ["id": channel.id, "handle": channel.handle, "name": channel.name]
        } else {
            object["channel"] = video.channelID.map { ["id": $0] as [String: Any] } ?? NSNull()
        }
        if video.status == "ready" { object["progress"] = ["percent": 100, "step": "done", "eta_seconds": 0] as [String: Any] }
        return object
    }

    /// Stream URLs of the poster, the candidates and the trickplay track (with its sprites).
    static func thumbnails(_ video: VideoRecord) -> [String: Any]? {
        guard let json = video.thumbnails.flatMap({ try? JSONValue(parsing: $0) }), let poster = json["poster"]?.stringValue else { return nil }
        let base = "/streams/\(video.id)/"
        var object: [String: Any] = [
            "poster": base + poster,
            "candidates": (json["candidates"]?.arrayValue ?? []).compactMap(\.stringValue).map { base + $0 },
            // Videos transcoded before card pictures existed have none: their poster serves.
            "card": base + (json["card"]?.stringValue ?? poster),
            "cards": (json["cards"]?.arrayValue ?? []).compactMap(\.stringValue).map { base + $0 },
            "sprites": (json["sprites"]?.arrayValue ?? []).compactMap(\.stringValue).map { base + $0 },
        ]
        object["trickplay"] = json["track"]?.stringValue.map { base + $0 }
        object["interval"] = json["interval"]?.doubleValue
        object["tile_width"] = json["tile_width"]?.intValue.map { Int($0) }
        object["tile_height"] = json["tile_height"]?.intValue.map { Int($0) }
        return object
    }

    static func data(_ object: Any) throws -> Data {
        try JSONWriter.data(object)
    }
}
