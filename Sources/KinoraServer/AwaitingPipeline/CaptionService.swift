import Foundation
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraMediaContract
import KinoraStore
import Logging

/// Saving and removing a video's caption tracks: the file in media storage, the row, and the
/// manifests republished so players see the change at once.
///
/// In KinoraServer only because ``Publisher`` is (it moves to `KinoraCore/Videos/Pipeline`
/// with the media pipeline); nothing here is HTTP. Refusals are ``CaptionError``s.
struct CaptionService: Sendable {
    let database: KinoraDatabase
    let registry: PluginRegistry
    let config: KinoraConfig

    var publisher: Publisher { Publisher(database: database, registry: registry) }
    var storage: MediaStorage { MediaStorage(registry: registry, name: config.mediaStorage) }

    /// What a save did.
    struct Saved: Sendable {
        var caption: CaptionRecord
        /// False when it replaced the language's track.
        var created: Bool
    }

    /// Saves the `bytes` as `video`'s captions in `language`, replacing any track of that
    /// language. The caller checked that the video may be changed.
    func save(_ bytes: [UInt8], video: VideoRecord, language: LanguageTag, label: String?, isDefault: Bool,
              requestID: String, logger: Logger) async throws -> Saved {
        let storage = try storage.require()
        let summary = try Captions.validate(bytes)
        // The file first, then the row: a recorded track always has its file.
        let key = VideoObjects(video.id).caption(language.value)
        try await storage.put(key, contentType: "text/vtt", bytes: bytes, requestID: requestID)
        let caption = CaptionRecord(videoID: video.id, language: language.value, label: label ?? language.displayName,
                                    isDefault: isDefault, size: Int64(bytes.count))
        let created: Bool
        do {
            created = try database.captions.save(caption)
        } catch is CaptionRepository.VideoMissing {
            // Deleted meanwhile: its objects were removed, this one must not stay behind.
            try? await storage.remove(key)
            throw CaptionError.videoGone(video.id)
        }
        try await publisher.republish(video.id, storage: storage)
        // Deleted between the save and now: the video's objects were removed before this
        // file (or the manifests just written) existed, so they would stay behind.
        if try database.videos.find(video.id) == nil {
            try? await storage.removeAll(prefix: VideoObjects(video.id).folder)
            throw CaptionError.videoGone(video.id)
        }
        logger.info("captions saved", metadata: [
            "video": .string(video.id), "language": .string(language.value), "cues": .stringConvertible(summary.cues),
        ])
        return Saved(caption: caption, created: created)
    }

    /// Removes `video`'s captions in `language`.
    func remove(video: VideoRecord, language: LanguageTag, logger: Logger) async throws {
        let storage = try storage.require()
        guard try database.captions.delete(videoID: video.id, language: language.value) else {
            throw CaptionError.noTrack(videoID: video.id, language: language.value)
        }
        // Manifests stop naming the track before its files go, so no player is sent to them.
        try await publisher.republish(video.id, storage: storage)
        try await storage.remove(VideoObjects(video.id).caption(language.value))
        try await storage.removeAll(prefix: VideoObjects(video.id).captionTrackFolder(language.value))
        logger.info("captions removed", metadata: ["video": .string(video.id), "language": .string(language.value)])
    }
}
