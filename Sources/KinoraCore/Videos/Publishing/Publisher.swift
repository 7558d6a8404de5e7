import Foundation
import KinoraHost
import KinoraMediaContract
import KinoraStore

/// Writes a video's manifests: builds the packager presentation from its renditions and its
/// caption tracks, runs every packager, stores what they write, then records the presentation.
///
/// Two writers publish a video: the transcode pipeline (new renditions) and the caption
/// routes (a track added or removed). Each publish holds the video's ``PublishLocks`` lock
/// from reading the captions (and, for a republish, the recorded renditions) until the
/// presentation is recorded, so the last writer always works from the latest state: a caption
/// saved during the pipeline's publish is picked up by the republish that waits behind it, and
/// a republish never puts back the renditions of an earlier pass.
public struct Publisher: Sendable {
    public let database: KinoraDatabase
    public let registry: PluginRegistry
    public var locks: PublishLocks = .shared

    public init(database: KinoraDatabase, registry: PluginRegistry, locks: PublishLocks = .shared) {
        self.database = database
        self.registry = registry
        self.locks = locks
    }

    /// Where a caption's file is, relative to the video's folder (``VideoObjects``).
    public static func captionPath(_ language: String) -> String { VideoObjects.captionPath(language) }

    /// The presentation id of a caption track (``VideoObjects``).
    public static func textTrackID(_ language: String) -> String { VideoObjects.textTrackID(language) }

    /// Publishes `renditions` with the video's current captions; `ready` marks the video ready.
    public func publish(_ video: String, renditions: [Rendition], ready: Bool, storage: StorageClient) async throws {
        try await locks.withLock(video) {
            try await write(video, renditions: renditions, ready: ready, storage: storage)
        }
    }

    /// Publishes again what is published, with the video's current captions, leaving its
    /// ready state as it is. Returns false when nothing is published yet: the pipeline's
    /// publish will include the captions.
    @discardableResult
    public func republish(_ video: String, storage: StorageClient) async throws -> Bool {
        try await locks.withLock(video) {
            guard let recorded = try database.videos.presentation(video) else { return false }
            let renditions = try MediaJSON.decode(Presentation.self, from: recorded).renditions
            try await write(video, renditions: renditions, ready: false, storage: storage)
            return true
        }
    }

    private func write(_ video: String, renditions: [Rendition], ready: Bool, storage: StorageClient) async throws {
        let captions = try database.captions.list(videoID: video)
        let duration = try database.videos.find(video)?.duration.flatMap { $0 > 0 ? $0 : nil } ?? Presentation.duration(of: renditions)
        let textTracks = captions.map { caption in
            Presentation.TextTrack(
                language: caption.language, label: caption.label, isDefault: caption.isDefault,
                duration: duration, size: caption.size)
        }
        let presentation = try MediaJSON.encode(Presentation(videoID: video, renditions: renditions, textTracks: textTracks))
        let objects = VideoObjects(video)
        for packager in registry.packagers {
            let (files, _) = try await packager.package(presentationJSON: presentation)
            for file in files {
                try await storage.put(objects.key(file.name), contentType: file.mediaType, bytes: file.data)
            }
        }
        try database.videos.publish(video, presentation: presentation, ready: ready)
    }
}
