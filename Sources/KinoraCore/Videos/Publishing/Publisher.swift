import Foundation
import KinoraHost
import KinoraMediaContract
import KinoraStore
import Logging

/// Writes a video's manifests: builds the packager presentation from its renditions, its
/// caption tracks and its owner's audio labels, runs every packager, stores what they write,
/// then records the presentation (with the source's audio labels).
///
/// Three writers publish a video: the transcode pipeline (new renditions), the caption
/// routes (a track added or removed) and the audio track labels. Each publish holds the video's ``PublishLocks`` lock
/// from reading the captions (and, for a republish, the recorded renditions) until the
/// presentation is recorded, so the last writer always works from the latest state: a caption
/// saved during the pipeline's publish is picked up by the republish that waits behind it, and
/// a republish never puts back the renditions of an earlier pass.
public struct Publisher: Sendable {
    public let database: KinoraDatabase
    public let registry: PluginRegistry
    public var locks: PublishLocks = .shared
    public var logger: Logger

    public init(
        database: KinoraDatabase, registry: PluginRegistry, locks: PublishLocks = .shared, logger: Logger = Logger(label: "kinora.publisher")
    ) {
        self.database = database
        self.registry = registry
        self.locks = locks
        self.logger = logger
    }

    /// Where a caption's file is, relative to the video's folder (``VideoObjects``).
    public static func captionPath(_ language: String) -> String { VideoObjects.captionPath(language) }

    /// The presentation id of a caption track (``VideoObjects``).
    public static func textTrackID(_ language: String) -> String { VideoObjects.textTrackID(language) }

    /// Publishes `renditions` with the video's current captions; `ready` marks the video ready.
    public func publish(_ video: String, renditions: [Rendition], ready: Bool, storage: StorageClient) async throws {
        try await locks.withLock(video) {
            _ = try await write(video, renditions: renditions, ready: ready, complete: true, storage: storage)
        }
    }

    /// Publishes the first segments of a first pass still being made (`"complete": false`)
    /// through the packagers that write growing manifests (`kinora.packager.growing/1`), which
    /// makes the video playable. Returns false, changing nothing, when no packager does, or
    /// when the video already has a complete presentation (a retranscode, or a first pass
    /// made again after a restart): viewers keep the whole video rather than a growing part.
    @discardableResult
    public func publishGrowing(_ video: String, renditions: [Rendition], storage: StorageClient) async throws -> Bool {
        try await locks.withLock(video) {
            if let recorded = try database.videos.presentation(video), try MediaJSON.decode(Presentation.self, from: recorded).complete {
                return false
            }
            return try await write(video, renditions: renditions, ready: false, complete: false, storage: storage)
        }
    }

    /// Takes back a growing presentation whose first pass failed or was cancelled (the video
    /// is no longer playable until a new pass publishes it); a complete one stays.
    public func withdrawGrowing(_ video: String) async throws {
        try await locks.withLock(video) {
            guard let recorded = try database.videos.presentation(video),
                try !MediaJSON.decode(Presentation.self, from: recorded).complete
            else { return }
            try database.videos.unpublish(video)
            database.events.publish(.video(video))
        }
    }

    /// Publishes again what is published, with the video's current captions, leaving its
    /// ready state as it is. Returns false when nothing is published yet: the pipeline's
    /// publish will include the captions.
    @discardableResult
    public func republish(_ video: String, storage: StorageClient) async throws -> Bool {
        try await locks.withLock(video) {
            guard let recorded = try database.videos.presentation(video) else { return false }
            let presentation = try MediaJSON.decode(Presentation.self, from: recorded)
            return try await write(
                video, renditions: presentation.renditions, ready: false, complete: presentation.complete, storage: storage)
        }
    }

    /// Returns false when nothing was written: a growing presentation no packager can write.
    private func write(_ video: String, renditions: [Rendition], ready: Bool, complete: Bool, storage: StorageClient) async throws -> Bool {
        let captions = try database.captions.list(videoID: video)
        let duration = try database.videos.find(video)?.duration.flatMap { $0 > 0 ? $0 : nil } ?? Presentation.duration(of: renditions)
        let uncut = captions.map { caption in
            Presentation.TextTrack(
                language: caption.language, label: caption.label, isDefault: caption.isDefault,
                duration: duration, size: caption.size)
        }
        let textTracks = try await CaptionCuts.attach(uncut, renditions: renditions, video: video, storage: storage)
        // The record keeps the source's audio labels, so a label taken away brings them back;
        // the packagers write the owner's (``AudioTrackService``).
        let presentation = try MediaJSON.encode(Presentation(videoID: video, renditions: renditions, textTracks: textTracks, complete: complete))
        let labels = try database.audioLabels.list(videoID: video).map { AudioTrackLabel(track: $0.track, language: $0.language, name: $0.name) }
        let packaged =
            labels.isEmpty
            ? presentation
            : try MediaJSON.encode(
                Presentation(
                    videoID: video, renditions: AudioTrackLabels.apply(labels, to: renditions), textTracks: textTracks, complete: complete))
        let objects = VideoObjects(video)
        // Recording the presentation is what makes a video playable (and ready): only once at
        // least one packager's manifests are stored, or players would be sent to a 404.
        let packagers = complete ? registry.packagers : registry.packagers.filter(\.writesGrowing)
        if !complete, packagers.isEmpty { return false }
        guard !packagers.isEmpty else { throw NoManifestWritten.noPackager }
        var written = 0
        var failures: [String] = []
        for packager in packagers {
            let files: [PackagedFile]
            do {
                (files, _) =
                    complete
                    ? try await packager.package(presentationJSON: packaged)
                    : try await packager.packageGrowing(presentationJSON: packaged)
            } catch let error where !Self.isCancellation(error) {
                // One protocol failing leaves the others playable; it is logged, not hidden.
                let reason = NoManifestWritten.describe(error, packager: packager.instance.name)
                failures.append(reason)
                logger.error("\(reason)", metadata: ["video": .string(video)])
                continue
            }
            for file in files {
                try await storage.put(objects.key(file.name), contentType: file.mediaType, bytes: file.data)
            }
            if !files.isEmpty { written += 1 }
        }
        guard written > 0 else { throw NoManifestWritten.everyPackagerFailed(failures) }
        try database.videos.publish(video, presentation: presentation, ready: ready)
        // Other nodes' stream caches hold the old manifests for up to a second otherwise.
        database.events.publish(.video(video))
        return true
    }

    private static func isCancellation(_ error: any Error) -> Bool {
        error is CancellationError || (error as? PluginCallError)?.status == .cancelled
    }
}

/// No manifest could be written for a video, so it is not made playable: the transcode job
/// fails with this as its reason (shown to administrators), rather than a video that is
/// `ready` but answers 404 to every player.
///
/// ```swift
/// do {
///     try await publisher.publish(id, renditions: renditions, ready: true, storage: storage)
/// } catch let error as NoManifestWritten {
///     logger.error("\(error)")  // says which packager failed, or that none is configured
/// }
/// ```
public enum NoManifestWritten: Error, CustomStringConvertible, Sendable {
    case noPackager
    case everyPackagerFailed([String])

    public var description: String {
        switch self {
        case .noPackager:
            "no packager instance is started, so no manifest can be written and the video cannot be played: name one in plugins.d "
                + "(a file hls.toml holding plugin = \"org.kinora.packager-hls\"), restart, then retranscode the video"
        case .everyPackagerFailed(let failures):
            "no manifest was written, so the video cannot be played: "
                + (failures.isEmpty ? "every packager wrote no file" : failures.joined(separator: "; "))
        }
    }

    static func describe(_ error: any Error, packager: String) -> String {
        if let plugin = error as? PluginCallError { return "packager \"\(packager)\" failed (\(plugin.status)): \(plugin.message)" }
        return "packager \"\(packager)\" failed: \(error)"
    }
}
