import Foundation
import KinoraConfiguration
import KinoraHost
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
struct Publisher: Sendable {
    let database: KinoraDatabase
    let registry: PluginRegistry
    var locks: PublishLocks = .shared

    /// Where a caption's file is, relative to `videos/<id>/`.
    static func captionPath(_ language: String) -> String { "captions/\(language).vtt" }

    /// The presentation id of a caption track. Packagers name folders after ids (the HLS
    /// subtitle playlist is `<id>/media.m3u8`); the prefix keeps them apart from renditions.
    static func textTrackID(_ language: String) -> String { "text-\(language)" }

    /// Publishes `renditions` with the video's current captions; `ready` marks the video ready.
    func publish(_ video: String, renditions: [JSONValue], ready: Bool, storage: StorageClient) async throws {
        try await locks.withLock(video) {
            try await write(video, renditions: renditions, ready: ready, storage: storage)
        }
    }

    /// Publishes again what is published, with the video's current captions, leaving its
    /// ready state as it is. Returns false when nothing is published yet: the pipeline's
    /// publish will include the captions.
    @discardableResult
    func republish(_ video: String, storage: StorageClient) async throws -> Bool {
        try await locks.withLock(video) {
            guard let recorded = try database.videos.presentation(video),
                  let renditions = try JSONValue(parsing: recorded)["renditions"]?.arrayValue else { return false }
            try await write(video, renditions: renditions, ready: false, storage: storage)
            return true
        }
    }

    private func write(_ video: String, renditions: [JSONValue], ready: Bool, storage: StorageClient) async throws {
        let captions = try database.captions.list(videoID: video)
        let duration = try database.videos.find(video)?.duration.flatMap { $0 > 0 ? $0 : nil } ?? Self.duration(of: renditions)
        let textTracks: [JSONValue] = captions.map { caption in
            .object([
                "id": .string(Self.textTrackID(caption.language)),
                "language": .string(caption.language),
                "label": .string(caption.label),
                "default": .bool(caption.isDefault),
                "uri": .string(Self.captionPath(caption.language)),
                "duration": .double(duration),
                "size": .integer(caption.size),
            ])
        }
        let presentation: JSONValue = .object([
            "video_id": .string(video),
            "renditions": .array(renditions),
            "text_tracks": .array(textTracks),
            "protection": .array([]),
        ])
        for packager in registry.packagers {
            let (files, _) = try await packager.package(presentation: presentation)
            for file in files {
                try await storage.put("videos/\(video)/\(file.name)", contentType: file.mediaType, bytes: file.data)
            }
        }
        try database.videos.publish(video, presentation: presentation.jsonString, ready: ready)
    }

    /// The longest rendition's end in seconds, for a video whose probe found no duration.
    static func duration(of renditions: [JSONValue]) -> Double {
        let ends = renditions.compactMap { rendition -> Double? in
            guard let timescale = rendition["timescale"]?.intValue, timescale > 0,
                  let last = rendition["segments"]?.arrayValue?.last,
                  let start = last["start"]?.intValue, let length = last["duration"]?.intValue else { return nil }
            return Double(start + length) / Double(timescale)
        }
        return max(ends.max() ?? 1, 0.001)
    }
}
