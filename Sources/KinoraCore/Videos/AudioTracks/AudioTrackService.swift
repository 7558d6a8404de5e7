import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraMediaContract
import KinoraStore
import Logging

/// A video's audio tracks and the labels its owner gives them (issue 16: "labelled with its
/// language and name, source tags, overridable per video"). A label is stored, then the
/// manifests are republished the way a caption change republishes them (``Publisher``), so
/// players see the new `LANGUAGE`/`NAME` and `lang`/`Label` at once. The recorded
/// presentation keeps the source's labels: taking a label away brings the source's back.
public struct AudioTrackService: Sendable {
    public let database: KinoraDatabase
    public let registry: PluginRegistry
    public let config: KinoraConfig

    /// A name's length, as a caption label's.
    public static let maxNameLength = Captions.maxLabelLength
    /// Entries in one request: the most tracks a video can have (`max_audio_tracks` ≤ 32).
    public static let maxEntries = 32

    public init(database: KinoraDatabase, registry: PluginRegistry, config: KinoraConfig) {
        self.database = database
        self.registry = registry
        self.config = config
    }

    var publisher: Publisher { Publisher(database: database, registry: registry) }
    var storage: MediaStorage { MediaStorage(registry: registry, name: config.mediaStorage) }

    /// The published video's tracks with their labels; none before the first publish.
    public func tracks(of video: VideoRecord) throws -> [VideoAudioTrack] {
        guard let renditions = try publishedRenditions(video.id) else { return [] }
        return AudioTrackLabels.tracks(renditions, labels: try labels(video.id))
    }

    /// The labels stored for `video`, as the publisher applies them.
    public func labels(_ video: String) throws -> [AudioTrackLabel] {
        try database.audioLabels.list(videoID: video).map { AudioTrackLabel(track: $0.track, language: $0.language, name: $0.name) }
    }

    /// Replaces the labels of `video`'s tracks by those in `body`, a JSON array of
    /// `{"id": track, "language": tag, "name": text}` (language and name each optional; null or
    /// absent keeps the source's, an entry with neither puts the track back as the source
    /// tagged it, a track not named is put back too), then republishes the manifests. The
    /// caller checked that the video may be changed. Every entry is checked before anything
    /// is stored; the first bad one is refused (``AudioTrackError``).
    public func relabel(_ body: JSONValue, video: VideoRecord, logger: Logger) async throws -> [VideoAudioTrack] {
        guard let renditions = try publishedRenditions(video.id) else { throw AudioTrackError.notPublished(video.id) }
        let labels = try Self.parse(body, tracks: AudioTrackLabels.members(renditions), renditions: renditions)
        let storage = try storage.require()
        do {
            try database.audioLabels.replace(
                videoID: video.id,
                with: labels.map { AudioLabelRecord(videoID: video.id, track: $0.track, language: $0.language, name: $0.name) })
        } catch is AudioLabelRepository.VideoMissing {
            throw AudioTrackError.videoGone(video.id)
        }
        try await publisher.republish(video.id, storage: storage)
        // Deleted between the save and now: its objects went before these manifests existed.
        if try database.videos.find(video.id) == nil {
            try? await storage.removeAll(prefix: VideoObjects(video.id).folder)
            throw AudioTrackError.videoGone(video.id)
        }
        logger.info(
            "audio tracks relabelled",
            metadata: ["video": .string(video.id), "tracks": .string(labels.map(\.track).joined(separator: ","))])
        return AudioTrackLabels.tracks(renditions, labels: labels)
    }

    private func publishedRenditions(_ video: String) throws -> [Rendition]? {
        guard let recorded = try database.videos.presentation(video) else { return nil }
        return try MediaJSON.decode(Presentation.self, from: recorded).renditions
    }

    /// The labels `body` asks for, checked against the video's tracks. An entry may name any
    /// rendition of a track ("audio-en-6ch" stands for "audio-en").
    static func parse(_ body: JSONValue, tracks: [AudioTrackLabels.Members], renditions: [Rendition]) throws(AudioTrackError) -> [AudioTrackLabel] {
        guard let entries = body.arrayValue else {
            throw .badBody("the body must be a JSON array of {\"id\", \"language\", \"name\"} objects", field: nil)
        }
        guard entries.count <= maxEntries else { throw .badBody("at most \(maxEntries) tracks may be labelled at once", field: nil) }
        var owner: [String: String] = [:]
        for track in tracks {
            for index in track.indices { owner[renditions[index].id] = track.id }
        }
        var labels: [AudioTrackLabel] = []
        var seen: Set<String> = []
        for (position, entry) in entries.enumerated() {
            let at = "[\(position)]"
            guard let object = entry.objectValue else { throw .badBody("\(at) must be an object", field: at) }
            if let unknown = object.keys.sorted().first(where: { !["id", "language", "name"].contains($0) }) {
                throw .unknownKey(field: "\(at).\(unknown.prefix(64))")
            }
            guard let id = object["id"]?.stringValue else { throw .badBody("\(at).id must be the track's id, a string", field: "\(at).id") }
            guard let track = owner[id] else {
                throw .unknownTrack(id, known: tracks.map(\.id), field: "\(at).id")
            }
            guard seen.insert(track).inserted else { throw .duplicateTrack(track, field: "\(at).id") }
            let language = try Self.language(object["language"], field: "\(at).language")
            let name = try Self.name(object["name"], field: "\(at).name")
            if language != nil || name != nil { labels.append(AudioTrackLabel(track: track, language: language?.value, name: name)) }
        }
        return labels
    }

    /// A BCP 47-like tag in its conventional case (``LanguageTag``); nil for null or absent.
    static func language(_ value: JSONValue?, field: String) throws(AudioTrackError) -> LanguageTag? {
        guard let value, !value.isNull else { return nil }
        guard let text = value.stringValue else { throw .badLanguage("\(value)", field: field) }
        guard let tag = LanguageTag(text) else { throw .badLanguage(text, field: field) }
        return tag
    }

    /// Trimmed, 1 to ``maxNameLength`` characters, no control characters and no double quote
    /// (an HLS quoted-string cannot hold one: the playlist would show another name than the
    /// MPD); nil for null or absent.
    static func name(_ value: JSONValue?, field: String) throws(AudioTrackError) -> String? {
        guard let value, !value.isNull else { return nil }
        guard let text = value.stringValue?.trimmingCharacters(in: .whitespaces), !text.isEmpty, text.count <= maxNameLength,
            !text.containsControlCharacters(), !text.contains("\""), !text.unicodeScalars.contains(where: { $0 == "\u{2028}" || $0 == "\u{2029}" })
        else { throw .badName(field: field) }
        return text
    }
}
