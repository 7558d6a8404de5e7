import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraMediaContract
import KinoraStore
import Logging

/// Saving and removing a video's caption tracks: the file in media storage, the row, and the
/// manifests republished so players see the change at once.
///
/// In KinoraServer only because ``Publisher`` is (it moves to `KinoraCore/Videos/Pipeline`
/// with the media pipeline); nothing here is HTTP. Refusals are ``CaptionError``s.
public struct CaptionService: Sendable {
    public let database: KinoraDatabase
    public let registry: PluginRegistry
    public let config: KinoraConfig

    public init(database: KinoraDatabase, registry: PluginRegistry, config: KinoraConfig) {
        self.database = database
        self.registry = registry
        self.config = config
    }

    public var publisher: Publisher { Publisher(database: database, registry: registry) }
    public var storage: MediaStorage { MediaStorage(registry: registry, name: config.mediaStorage) }

    /// What a save did.
    public struct Saved: Sendable {
        public var caption: CaptionRecord
        /// False when it replaced the language's track.
        public var created: Bool
    }

    /// Saves the `bytes` as `video`'s captions in `language`, replacing any track of that
    /// language. The caller checked that the video may be changed.
    public func save(
        _ bytes: [UInt8], video: VideoRecord, language: LanguageTag, label: String?, isDefault: Bool,
        requestID: String, logger: Logger
    ) async throws -> Saved {
        let storage = try storage.require()
        let summary = try Captions.validate(bytes)
        // The file first, then the row: a recorded track always has its file.
        let key = VideoObjects(video.id).caption(language.value)
        try await storage.put(key, contentType: "text/vtt", bytes: bytes, requestID: requestID)
        let caption = CaptionRecord(
            videoID: video.id, language: language.value, label: label ?? language.displayName,
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
        logger.info(
            "captions saved",
            metadata: [
                "video": .string(video.id), "language": .string(language.value), "cues": .stringConvertible(summary.cues),
            ])
        return Saved(caption: caption, created: created)
    }

    /// Removes `video`'s captions in `language`.
    public func remove(video: VideoRecord, language: LanguageTag, logger: Logger) async throws {
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
