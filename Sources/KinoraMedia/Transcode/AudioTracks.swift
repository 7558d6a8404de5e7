import CFFmpeg

/// Every audio stream the source has (up to `TranscodeOptions.maxAudioTracks`), each decoded
/// once and encoded to a stereo rendition and, from 6 channels up, a 5.1 one beside it (from 8
/// up a 7.1 one too), each
/// labelled for players' menus by the presentation contract: language, name, default, group.
final class AudioTrack {
    let decoder: MediaDecoder
    let label: AudioLabel
    /// Which kept stream this is (0-based, file order): its renditions' `sourceTrack`.
    let position: Int
    private(set) var outputs: [(graph: FilterGraph, encoder: AudioEncoder, layout: AudioLayout)] = []

    init(decoder: MediaDecoder, label: AudioLabel, position: Int) {
        self.decoder = decoder
        self.label = label
        self.position = position
    }

    func add(graph: FilterGraph, encoder: AudioEncoder, layout: AudioLayout) {
        outputs.append((graph, encoder, layout))
    }

    /// Hands a decoded frame to every output's graph: a new reference for all but the last,
    /// which takes the frame's own.
    func push(_ frame: UnsafeMutablePointer<AVFrame>, scratch: UnsafeMutablePointer<AVFrame>) throws(TranscodeError) {
        for (index, output) in outputs.enumerated() {
            try output.graph.push(frame, keepReference: index < outputs.count - 1)
            try drain(output, scratch: scratch)
        }
    }

    func finish(scratch: UnsafeMutablePointer<AVFrame>) throws(TranscodeError) {
        try decoder.decode(nil) { frame throws(TranscodeError) in try push(frame, scratch: scratch) }
        for output in outputs {
            try output.graph.push(nil)
            try drain(output, scratch: scratch)
            try output.encoder.finish()
        }
    }

    private func drain(
        _ output: (graph: FilterGraph, encoder: AudioEncoder, layout: AudioLayout), scratch: UnsafeMutablePointer<AVFrame>
    ) throws(TranscodeError) {
        while try output.graph.pull(into: scratch) == .frame {
            defer { av_frame_unref(scratch) }
            try output.encoder.encode(scratch)
        }
    }
}

/// An audio rendition's channel layout and the group it belongs to.
enum AudioLayout: Sendable, CaseIterable {
    case stereo, surround, surround71

    var channels: Int32 {
        switch self {
        case .stereo: 2
        case .surround: 6
        case .surround71: 8
        }
    }

    /// libavfilter's and the AAC encoder's name: "5.1" is FL FR FC LFE BL BR, the layout
    /// FFmpeg's AAC encoder declares (with "5.1(side)" it writes an unknown layout); "7.1" is
    /// FL FR FC LFE BL BR SL SR, which it writes as AAC channel configuration 7 (8 channels).
    var filterName: String {
        switch self {
        case .stereo: "stereo"
        case .surround: "5.1"
        case .surround71: "7.1"
        }
    }

    var group: String {
        switch self {
        case .stereo: "aac-2ch"
        case .surround: "aac-6ch"
        case .surround71: "aac-8ch"
        }
    }

    /// The rendition id's suffix after "audio-<language>".
    var idSuffix: String {
        switch self {
        case .stereo: ""
        case .surround: "-6ch"
        case .surround71: "-8ch"
        }
    }

    /// AAC bit rate for `stereo` bits per second of stereo: about the same per channel pair
    /// (5.1: 3×, 7.1: 4×).
    func bitRate(stereo: Int) -> Int { stereo * Int(channels) / 2 }

    /// The layouts made from a source stream of `channels` channels: stereo always; with
    /// `surround`, 5.1 from 6 channels up and 7.1 too from 8 up (never upmixed).
    static func made(fromChannels channels: Int32, surround: Bool) -> [AudioLayout] {
        guard surround else { return [.stereo] }
        return allCases.filter { $0 == .stereo || channels >= $0.channels }
    }
}

/// What players' menus show for one source audio stream.
struct AudioLabel: Sendable, Equatable {
    /// BCP 47 ("en", "und").
    var language: String
    /// "English", the stream's title, or "Audio 2".
    var name: String
    /// The source marks it default (or it is the first).
    var isDefault: Bool

    /// The labels of the kept streams, in order: `titles` are the streams' title tags.
    static func make(_ streams: [MediaStreamInfo], titles: [String?]) -> [AudioLabel] {
        let defaultIndex = streams.firstIndex(where: \.isDefault) ?? 0
        return streams.enumerated().map { position, stream in
            let language = AudioLanguage.tag(stream.language)
            let title = titles[position]?.trimmingWhitespace
            let name = title.flatMap { $0.isEmpty ? nil : $0 } ?? AudioLanguage.name(language) ?? "Audio \(position + 1)"
            return AudioLabel(language: language, name: name, isDefault: position == defaultIndex)
        }
    }

    /// Rendition ids by the contract: a lone stream's stereo rendition keeps "audio" (today's
    /// layout); others are "audio-<language>", "audio-<language>-6ch" and
    /// "audio-<language>-8ch", "-2", "-3" on a clash.
    static func ids(_ labels: [AudioLabel], layouts: [[AudioLayout]]) -> [[String]] {
        var taken: Set<String> = []
        func unique(_ base: String) -> String {
            var id = base
            var n = 2
            while taken.contains(id) {
                id = "\(base)-\(n)"
                n += 1
            }
            taken.insert(id)
            return id
        }
        return zip(labels, layouts).map { label, layouts in
            layouts.map { layout in
                if labels.count == 1, layout == .stereo { return unique(AudioEncoder.id) }
                return unique("audio-\(label.language)" + layout.idSuffix)
            }
        }
    }
}

extension AudioTrack {
    /// The kept audio streams of the source (file order, at most `options.maxAudioTracks`),
    /// each with its stereo output and, when `options.surround`, a 5.1 one from 6 channels up and
    /// a 7.1 one from 8 up.
    /// A stream other than the best one whose decoder cannot be opened is left out.
    static func prepare(
        input: InputFile, info: MediaInfo, options: TranscodeOptions, grid: SegmentGrid, folder: String,
        creating: (String) -> Void
    ) throws(TranscodeError) -> [AudioTrack] {
        guard options.audio, info.hasDecodableAudio, options.maxAudioTracks > 0 else { return [] }
        var opened: [(stream: MediaStreamInfo, decoder: MediaDecoder, title: String?, channels: Int32)] = []
        for stream in info.streams where stream.kind == .audio && stream.hasDecoder {
            guard opened.count < options.maxAudioTracks, let avStream = input.stream(stream.index) else { continue }
            let decoder: MediaDecoder
            do {
                decoder = try MediaDecoder(stream: avStream, index: stream.index)
            } catch {
                if stream.index == info.bestAudioIndex { throw error }
                continue
            }
            guard let context = decoder.context else { continue }
            var title: String?
            if let entry = av_dict_get(avStream.pointee.metadata, "title", nil, 0), let value = entry.pointee.value {
                title = String(cString: value)
            }
            opened.append((stream, decoder, title, context.pointee.ch_layout.nb_channels))
        }
        let labels = AudioLabel.make(opened.map(\.stream), titles: opened.map(\.title))
        let layouts = opened.map { AudioLayout.made(fromChannels: $0.channels, surround: options.surround) }
        let ids = AudioLabel.ids(labels, layouts: layouts)
        var tracks: [AudioTrack] = []
        for (position, source) in opened.enumerated() {
            guard let context = source.decoder.context, let avStream = input.stream(source.stream.index) else { continue }
            let track = AudioTrack(decoder: source.decoder, label: labels[position], position: position)
            for (layout, id) in zip(layouts[position], ids[position]) {
                creating(id)
                let encoder = try AudioEncoder(
                    id: id, layout: layout, bitRate: layout.bitRate(stereo: options.audioBitRate), grid: grid, folder: folder + "/" + id)
                let graph = try FilterGraph.audio(
                    decoder: context, timeBase: avStream.pointee.time_base, frameSize: encoder.frameSize, outputLayout: layout.filterName)
                track.add(graph: graph, encoder: encoder, layout: layout)
            }
            tracks.append(track)
        }
        return tracks
    }

    /// The renditions of every track: the stereo ones first (source order), then the 5.1 ones,
    /// then the 7.1 ones;
    /// one default per group (the source's default track's, else the first).
    static func renditions(_ tracks: [AudioTrack]) -> [Rendition] {
        var result: [Rendition] = []
        let lone = tracks.count == 1 && tracks[0].outputs.count == 1
        for layout in AudioLayout.allCases {
            let members = tracks.compactMap { track in track.outputs.first { $0.layout == layout }.map { (track, $0) } }
            let chosen = members.firstIndex { $0.0.label.isDefault } ?? 0
            for (position, (track, output)) in members.enumerated() {
                var rendition = TranscodeJob.rendition(
                    id: output.encoder.id, type: .audio, codecs: output.encoder.codecString,
                    timescale: output.encoder.timescale, segments: output.encoder.segments)
                rendition.channels = Int(layout.channels)
                rendition.sampleRate = Int(AudioEncoder.sampleRate)
                rendition.language = track.label.language
                // "English (5.1)"; a source track already titled so keeps its title as it is.
                rendition.name = AudioMenuName.make(track.label.name, channels: Int(layout.channels))
                rendition.sourceTrack = track.position
                rendition.isDefault = position == chosen ? true : nil
                // A lone stereo rendition keeps today's shape: no group means "aac-2ch".
                rendition.group = lone ? nil : layout.group
                result.append(rendition)
            }
        }
        return result
    }
}
