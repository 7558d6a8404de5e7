import KinoraMediaContract

/// One audio track of a published video as its owner sees it: a source stream, with every
/// rendition made from it (stereo, 5.1, 7.1), the label players show and where it came from.
/// Its `id` is its stereo rendition's ("audio", "audio-en"), the one a client names to relabel it.
public struct VideoAudioTrack: Sendable, Equatable {
    public var id: String
    /// The renditions made from the track, as the presentation lists them.
    public var renditions: [String]
    public var channels: [Int]
    /// What players are told: the owner's label where there is one, else the source's.
    public var language: String
    public var name: String
    public var isDefault: Bool
    /// From the source's tags (what the transcoder wrote).
    public var sourceLanguage: String
    public var sourceName: String
    /// The owner's label, if any: nil members keep the source's.
    public var label: AudioTrackLabel?
}

/// What a video's owner set for one track: a language, a name, or both.
public struct AudioTrackLabel: Sendable, Equatable {
    public var track: String
    public var language: String?
    public var name: String?

    public init(track: String, language: String?, name: String?) {
        self.track = track
        self.language = language
        self.name = name
    }
}

/// The tracks of a presentation and its renditions relabelled: pure functions over the
/// contract's values, shared by the publisher and the API.
public enum AudioTrackLabels {
    /// A track: its id and the positions of its renditions in the presentation's list.
    struct Members {
        var id: String
        var indices: [Int]
    }

    /// The audio renditions by source stream (``Rendition/sourceTrack``; a presentation made
    /// before it has one track per rendition), in the order the presentation first names them.
    static func members(_ renditions: [Rendition]) -> [Members] {
        var order: [String] = []
        var groups: [String: [Int]] = [:]
        for (index, rendition) in renditions.enumerated() where rendition.type == .audio {
            let key = rendition.sourceTrack.map { "#\($0)" } ?? "=" + rendition.id
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(index)
        }
        return order.compactMap { key in
            guard let indices = groups[key], let first = indices.first else { return nil }
            // The stereo rendition names the track: it exists for every source stream.
            let stereo = indices.first { (renditions[$0].channels ?? 2) <= 2 } ?? first
            return Members(id: renditions[stereo].id, indices: indices.sorted { (renditions[$0].channels ?? 2) < (renditions[$1].channels ?? 2) })
        }
    }

    /// The video's tracks with `labels` (by track id) applied.
    public static func tracks(_ renditions: [Rendition], labels: [AudioTrackLabel]) -> [VideoAudioTrack] {
        members(renditions).map { track in
            let lead = renditions[track.indices[0]]
            let label = labels.first { $0.track == track.id }
            let sourceLanguage = lead.language ?? "und"
            let sourceName = lead.name ?? lead.language ?? lead.id
            return VideoAudioTrack(
                id: track.id, renditions: track.indices.map { renditions[$0].id }, channels: track.indices.map { renditions[$0].channels ?? 2 },
                language: label?.language ?? sourceLanguage, name: label?.name ?? sourceName, isDefault: lead.isDefault ?? false,
                sourceLanguage: sourceLanguage, sourceName: sourceName, label: label)
        }
    }

    /// `renditions` as players are to see them: each labelled track's renditions take its
    /// language and name, the name with the layout added for surround ("Deutsch (5.1)").
    /// Labels of tracks the presentation no longer has (a retranscode changed them) do nothing.
    public static func apply(_ labels: [AudioTrackLabel], to renditions: [Rendition]) -> [Rendition] {
        guard !labels.isEmpty else { return renditions }
        var result = renditions
        for track in members(renditions) {
            guard let label = labels.first(where: { $0.track == track.id }) else { continue }
            for index in track.indices {
                if let language = label.language { result[index].language = language }
                if let name = label.name { result[index].name = AudioMenuName.make(name, channels: result[index].channels ?? 2) }
            }
        }
        return result
    }
}
