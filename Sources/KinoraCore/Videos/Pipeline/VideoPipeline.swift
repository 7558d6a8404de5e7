import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraMediaContract
import KinoraStore
import Logging

/// Turns an uploaded original into published renditions and manifests:
/// a quick first pass makes the lowest rung (and audio) so the video plays early, then the
/// decode-once ladder makes the rest. A rendition reaches the manifests only after all of its
/// segments are stored, so nothing is ever half-published.
public struct VideoPipeline: Sendable {
    public let database: KinoraDatabase
    public let registry: PluginRegistry
    public let config: KinoraConfig
    public let media: MediaWorker
    public let logger: Logger

    public init(database: KinoraDatabase, registry: PluginRegistry, config: KinoraConfig, media: MediaWorker, logger: Logger) {
        self.database = database
        self.registry = registry
        self.config = config
        self.media = media
        self.logger = logger
    }

    public var workFolder: String { config.dataDir + "/work" }

    public func run(_ job: ClaimedJob, progress: @escaping @Sendable (Double, String) -> Void) async throws {
        guard let video = try database.videos.find(job.videoID) else { return }  // deleted meanwhile
        guard let storage = MediaStorage(registry: registry, name: config.mediaStorage).client, let originalKey = video.originalKey else {
            throw TranscodeFailure(description: "media storage \"\(config.mediaStorage)\" is not available (not started; see /readyz)")
        }
        // Without a packager nothing could ever play the result: fail before spending the
        // transcode, with the reason (and the fix) stored for administrators.
        guard !registry.packagers.isEmpty else { throw NoManifestWritten.noPackager }
        let folder = workFolder + "/\(video.id)-\(job.attempts)"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        let input = try await localCopy(of: originalKey, storage: storage, in: folder)
        try requireFreeSpace(at: folder, incoming: video.originalSize * 2, reserve: config.minFreeBytes)

        // First pass: the lowest rung and audio, published segment by segment while they are
        // made (playable within seconds), then whole; and the thumbnails from the frames it
        // decodes anyway.
        progress(0, "first pass")
        let copy = (config.transcodePassthrough ? [] : ["--no-passthrough"]) + sharedOptions
        let publisher = Publisher(database: database, registry: registry, logger: logger)
        let growing = GrowingPublication(video: video.id, folder: folder + "/first", storage: storage, publisher: publisher, logger: logger)
        let first: TranscodeResult
        var stored: Set<String>
        do {
            first = try await media.transcode(
                input: input, output: folder + "/first",
                options: ["--first-pass-only", "--thumbnails", "--progressive"] + copy,
                partial: { growing.offer($0) }
            ) { fraction, step in
                progress(fraction * 0.2, "first pass: \(step)")
            }
            stored = await growing.finish()
        } catch {
            _ = await growing.finish()
            // Players of the growing part would wait for segments that never come.
            try? await publisher.withdrawGrowing(video.id)
            throw error
        }
        try await RenditionFiles.store(first.renditions, from: folder + "/first", video: video.id, storage: storage, skipping: &stored)
        try await storeThumbnails(first.thumbnails, from: folder + "/first", video: video.id, storage: storage)
        try await publish(video.id, renditions: first.renditions, ready: false, storage: storage)
        if let fallback = first.fallback { logger.warning("encoder fallback: \(fallback)", metadata: ["video": .string(video.id)]) }
        notePassthrough(first, video: video.id)
        // The pictures go through moderation now, beside the ladder; "ready" waits for it.
        let screening = screen(video.id, thumbnails: first.thumbnails, in: folder + "/first")

        // The rest of the ladder, decoded once; the first pass's audio is kept, not made again.
        let done = Set(first.renditions.map(\.id))
        let rest = first.renditions.isEmpty ? [] : remainingRungs(video, skipping: done)
        var all = first.renditions
        if !rest.isEmpty {
            let ladder = try await media.transcode(
                input: input, output: folder + "/ladder", options: ["--rungs", rest.map(String.init).joined(separator: ","), "--no-audio"] + copy
            ) { fraction, step in
                progress(0.2 + fraction * 0.75, "ladder: \(step)")
            }
            let fresh = ladder.renditions.filter { !done.contains($0.id) }
            notePassthrough(ladder, video: video.id)
            var none: Set<String> = []
            try await RenditionFiles.store(fresh, from: folder + "/ladder", video: video.id, storage: storage, skipping: &none)
            all += fresh
        }
        if let screening {
            progress(0.96, "moderation")
            await screening.value
        }
        progress(0.97, "publishing")
        try await publish(video.id, renditions: all, ready: true, storage: storage)
        // Deleted while it was being transcoded: what this run stored must not stay behind.
        if try database.videos.find(video.id) == nil {
            try await storage.removeAll(prefix: VideoObjects(video.id).folder)
            return
        }
        // Subscribers hear of it once (a retranscode raises nothing new); a failure to tell
        // them must not fail a video that is published.
        do {
            let notifier = Notifier(database: database, registry: registry, config: config.notifications)
            let id = video.id
            try await BlockingPools.inBackground { try notifier.videoPublished(id) }
        } catch {
            logger.error("could not tell subscribers about the video: \(error)", metadata: ["video": .string(video.id)])
        }
    }

    /// `[transcode]` segment and key frame durations, for every pass (they must share the
    /// grid), and which audio streams the pass that makes audio keeps.
    var sharedOptions: [String] {
        [
            "--segment-seconds", KinoraConfig.seconds(config.transcodeSegmentSeconds),
            "--keyframe-seconds", KinoraConfig.seconds(config.transcodeKeyframeSeconds),
            "--max-audio-tracks", String(config.transcodeMaxAudioTracks),
        ] + (config.transcodeSurround ? [] : ["--no-surround"])
    }

    /// Says whether the top rung was copied from the source, or why not.
    func notePassthrough(_ outcome: TranscodeResult, video: String) {
        if let why = outcome.passthroughRefusal {
            logger.info("top rung re-encoded, not copied: \(why)", metadata: ["video": .string(video)])
        } else if let copied = outcome.renditions.first(where: { $0.passthrough == true })?.id {
            logger.info("\(copied) copied from the source without re-encoding", metadata: ["video": .string(video)])
        }
    }

    /// The short sides above the first pass's rung, never above the source.
    func remainingRungs(_ video: VideoRecord, skipping done: Set<String>) -> [Int] {
        let shortSide = min(video.width ?? 0, video.height ?? 0)
        return LadderStep.standardShortSides.filter { $0 <= shortSide && !done.contains(LadderStep.renditionID(shortSide: $0)) }
    }

    /// The original as a local file: the storage's own file when it has one, else a download.
    func localCopy(of key: String, storage: StorageClient, in folder: String) async throws -> String {
        if let path = try storage.localPath(key), FileManager.default.fileExists(atPath: path) { return path }
        let target = folder + "/original"
        FileManager.default.createFile(atPath: target, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: target) else { throw TranscodeFailure(description: "cannot write \(target)") }
        defer { try? handle.close() }
        try await storage.get(key) { chunk in try handle.write(contentsOf: Data(chunk)) }
        return target
    }

    /// Writes every packager's manifests for `renditions` and the video's captions, then
    /// records the presentation (``Publisher`` serialises this with caption changes).
    func publish(_ video: String, renditions: [Rendition], ready: Bool, storage: StorageClient) async throws {
        try await Publisher(database: database, registry: registry, logger: logger).publish(
            video, renditions: renditions, ready: ready, storage: storage)
    }
}
