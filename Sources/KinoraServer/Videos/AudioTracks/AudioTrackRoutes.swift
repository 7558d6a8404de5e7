import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraStore

/// `/api/v1/videos/{id}/audio-tracks`: a published video's audio tracks and the language and
/// name its owner gives them over the source's tags (``AudioTrackService``).
struct AudioTrackRoutes {
    let database: KinoraDatabase
    let registry: PluginRegistry
    let config: KinoraConfig

    var service: AudioTrackService { AudioTrackService(database: database, registry: registry, config: config) }

    func register(on router: Router<KinoraRequestContext>) {
        // Listing follows the video's own visibility.
        router.get("api/v1/videos/:id/audio-tracks") { _, context in
            try Access.anyone.check(context)
            let video = try VideoAccess.visibleVideo(context, database: database)
            return try JSONResponse.make(.ok, ["items": try service.tracks(of: video).map(AudioTrackJSON.object)])
        }
        // Relabelling: the video's owner and admins (404 to whoever cannot see it).
        router.put("api/v1/videos/:id/audio-tracks") { request, context in
            try Access.authenticated.check(context)
            let video = try VideoAccess.editableVideo(context, database: database)
            let body = try await request.jsonValue()
            let tracks = try await service.relabel(body, video: video, logger: context.logger)
            return try JSONResponse.make(.ok, ["items": tracks.map(AudioTrackJSON.object)])
        }
    }
}

/// The API shape of an audio track.
enum AudioTrackJSON {
    static func object(_ track: VideoAudioTrack) -> [String: Any] {
        [
            "id": track.id,
            "language": track.language,
            "name": track.name,
            "default": track.isDefault,
            "renditions": track.renditions,
            "channels": track.channels,
            "source": ["language": track.sourceLanguage, "name": track.sourceName] as [String: Any],
            "label": track.label.map { label in
                ["language": label.language.map { $0 as Any } ?? NSNull(), "name": label.name.map { $0 as Any } ?? NSNull()] as [String: Any]
            } ?? NSNull(),
        ]
    }
}
