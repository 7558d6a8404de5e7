import KinoraPluginKit

/// Writes the HLS playlists of one presentation (RFC 8216 and Apple's HLS authoring
/// specification): a master playlist, one media playlist per rendition, an I-frame playlist
/// per video rendition whose segments carry `iframe`, and one playlist per WebVTT track.
struct HLSWriter {
    static let mediaType = "application/vnd.apple.mpegurl"
    static let master = "master.m3u8"
    /// fMP4 media playlists need 6 (EXT-X-MAP without I-FRAMES-ONLY); 7 is what Apple's tools
    /// write for fMP4 and covers BYTERANGE (4) and KEYFORMAT (5).
    static let version = 7

    let presentation: Presentation
    let keys: [Protection]

    init(_ presentation: Presentation) throws {
        self.presentation = presentation
        keys = try Self.hlsKeys(presentation.protection)
    }

    /// The protection entries HLS can signal: SAMPLE-AES needs the cbcs scheme and a key URI.
    static func hlsKeys(_ protection: [Protection]) throws -> [Protection] {
        guard !protection.isEmpty else { return [] }
        let cbcs = protection.filter { $0.scheme == "cbcs" }
        guard !cbcs.isEmpty else {
            let schemes = Set(protection.map(\.scheme)).sorted().joined(separator: ", ")
            throw PluginError(.unsupported, "presentation.protection: HLS signals only the cbcs scheme (SAMPLE-AES); found \(schemes)")
        }
        let keys = cbcs.filter { $0.hlsKeyURI != nil }
        guard !keys.isEmpty else {
            throw PluginError(.unsupported, "presentation.protection: no cbcs entry has hls_key_uri, so HLS players cannot find the key")
        }
        return keys
    }

    func files() -> [ManifestFile] {
        var files = [ManifestFile(name: Self.master, mediaType: Self.mediaType, text: masterPlaylist())]
        for r in presentation.renditions {
            files.append(ManifestFile(name: mediaName(r), mediaType: Self.mediaType, text: mediaPlaylist(r)))
            if hasIFrames(r) {
                files.append(ManifestFile(name: iframeName(r), mediaType: Self.mediaType, text: iframePlaylist(r)))
            }
        }
        for t in presentation.textTracks {
            files.append(ManifestFile(name: textName(t), mediaType: Self.mediaType, text: subtitlePlaylist(t)))
        }
        return files
    }

    func mediaName(_ r: Rendition) -> String { "\(r.id)/media.m3u8" }
    func iframeName(_ r: Rendition) -> String { "\(r.id)/iframes.m3u8" }
    func textName(_ t: TextTrack) -> String { "\(t.id)/media.m3u8" }

    func hasIFrames(_ r: Rendition) -> Bool { r.type == "video" && r.segments.allSatisfy { $0.iframe != nil } }

    // MARK: master playlist

    /// Audio renditions by group. With the contract's `group` keys: one group per codec and
    /// channel layout, stereo first (players start in the first group they can play). A
    /// presentation without them keeps today's grouping by codec, GROUP-ID "audio".
    var audioGroups: [AudioGroup] {
        var groups: [AudioGroup] = []
        let audio = presentation.audio
        let byContract = audio.contains { $0.group != nil }
        for r in audio {
            let key = byContract ? r.audioGroup : r.codecs
            if let i = groups.firstIndex(where: { $0.key == key }) {
                groups[i].members.append(r)
            } else {
                groups.append(AudioGroup(key: key, id: key, members: [r]))
            }
        }
        if byContract {
            // Stable: groups of equal layout keep the presentation's order.
            return groups.enumerated().sorted { ($0.element.channels, $0.offset) < ($1.element.channels, $1.offset) }.map(\.element)
        }
        let single = groups.count == 1
        return groups.map { AudioGroup(key: $0.key, id: single ? "audio" : "audio-\($0.key)", members: $0.members) }
    }

    struct AudioGroup {
        var key: String
        var id: String
        var members: [Rendition]
        /// Every codec its members use, once each, for the variants' CODECS.
        var codecs: [String] { members.map(\.codecs).reduce(into: []) { if !$0.contains($1) { $0.append($1) } } }
        var channels: Int64 { members.compactMap(\.channels).max() ?? 2 }
        var peak: Int64 { members.map(\.peakBandwidth).max() ?? 0 }
        var average: Int64 { members.compactMap(\.averageBandwidthValue).max() ?? 0 }
    }

    /// Where players start: Apple's authoring spec (1.32) wants the first variant near
    /// 2 Mbit/s, since a client begins with the first one listed.
    static let startingBandwidth: Int64 = 2_000_000

    /// `items` with the one whose bandwidth is closest to ``startingBandwidth`` moved first
    /// (the lower on a tie), the others in their order.
    static func startingFirst<T>(_ items: [T], bandwidth: (T) -> Int64) -> [T] {
        guard let best = items.indices.min(by: { a, b in
            let da = abs(bandwidth(items[a]) - startingBandwidth), db = abs(bandwidth(items[b]) - startingBandwidth)
            return da != db ? da < db : bandwidth(items[a]) < bandwidth(items[b])
        }) else { return items }
        var rest = items
        let first = rest.remove(at: best)
        return [first] + rest
    }

    func masterPlaylist() -> String {
        var lines = ["#EXTM3U", "#EXT-X-VERSION:\(Self.version)", "#EXT-X-INDEPENDENT-SEGMENTS"]
        if growing { lines.append(Self.startAtBeginning) }
        lines += keys.map { "#EXT-X-SESSION-KEY:" + keyAttributes($0) }
        let groups = audioGroups
        let subtitles = presentation.textTracks.isEmpty ? nil : "subs"
        // RFC 8216 §4.3.4.2: CODECS names every format of the variant, subtitles included.
        let textCodecs = subtitles == nil ? [] : ["wvtt"]
        let video = presentation.video

        if video.isEmpty == false {
            for group in groups {
                lines.append("")
                var names = NameSet()
                let defaultIndex = group.members.firstIndex { $0.isDefault == true } ?? 0
                for (i, r) in group.members.enumerated() {
                    var a = Attributes()
                    a.add("TYPE", "AUDIO")
                    a.quoted("GROUP-ID", group.id)
                    // Apple's authoring spec 8.10: LANGUAGE is required; "und" when unknown.
                    a.quoted("LANGUAGE", r.language ?? "und")
                    a.quoted("NAME", names.unique(r.displayName, fallback: r.id))
                    a.add("DEFAULT", i == defaultIndex ? "YES" : "NO")
                    a.add("AUTOSELECT", "YES")
                    if let channels = r.channels { a.quoted("CHANNELS", "\(channels)") }
                    a.quoted("URI", mediaName(r))
                    lines.append("#EXT-X-MEDIA:" + a.text)
                }
            }
        }
        if let subtitles {
            lines.append("")
            var names = NameSet()
            let defaultIndex = presentation.textTracks.firstIndex { $0.isDefault == true }
            for (i, t) in presentation.textTracks.enumerated() {
                var a = Attributes()
                a.add("TYPE", "SUBTITLES")
                a.quoted("GROUP-ID", subtitles)
                a.quoted("LANGUAGE", t.language ?? "und")
                a.quoted("NAME", names.unique(t.label ?? t.language ?? t.id, fallback: t.id))
                a.add("DEFAULT", i == defaultIndex ? "YES" : "NO")
                a.add("AUTOSELECT", "YES")
                a.quoted("URI", textName(t))
                lines.append("#EXT-X-MEDIA:" + a.text)
            }
        }

        if video.isEmpty {
            // Audio-only: every audio rendition is a variant of its own.
            for r in Self.startingFirst(presentation.audio, bandwidth: \.peakBandwidth) {
                lines.append("")
                var a = Attributes()
                a.add("BANDWIDTH", "\(r.peakBandwidth)")
                if let average = r.averageBandwidthValue { a.add("AVERAGE-BANDWIDTH", "\(average)") }
                a.quoted("CODECS", ([r.codecs] + textCodecs).joined(separator: ","))
                if let subtitles { a.quoted("SUBTITLES", subtitles) }
                lines += ["#EXT-X-STREAM-INF:" + a.text, mediaName(r)]
            }
            return lines.joined(separator: "\n") + "\n"
        }

        // Every video variant once per audio group, so a player can pair any picture with
        // any sound it can decode.
        let audioChoices: [AudioGroup?] = groups.isEmpty ? [nil] : groups.map { $0 }
        for group in audioChoices {
            // BANDWIDTH covers every rendition that can play with the variant: the video plus
            // the heaviest audio rendition of its group.
            let audioPeak = group?.peak ?? 0
            for r in Self.startingFirst(video, bandwidth: { $0.peakBandwidth + audioPeak }) {
                lines.append("")
                var a = Attributes()
                a.add("BANDWIDTH", "\(r.peakBandwidth + audioPeak)")
                if let average = r.averageBandwidthValue { a.add("AVERAGE-BANDWIDTH", "\(average + (group?.average ?? 0))") }
                a.quoted("CODECS", ([r.codecs] + (group?.codecs ?? []) + textCodecs).joined(separator: ","))
                a.add("RESOLUTION", "\(r.width ?? 0)x\(r.height ?? 0)")
                if let rate = r.frameRate { a.add("FRAME-RATE", Format.decimal3(Format.thousandths(rate))) }
                if let group { a.quoted("AUDIO", group.id) }
                if let subtitles { a.quoted("SUBTITLES", subtitles) }
                lines += ["#EXT-X-STREAM-INF:" + a.text, mediaName(r)]
            }
        }

        let withIFrames = video.filter(hasIFrames)
        if !withIFrames.isEmpty { lines.append("") }
        for r in withIFrames {
            let bits = r.segments.compactMap { s in s.iframe.map { r.bitsPerSecond(bytes: $0.size, duration: s.duration) } }
            let total = r.segments.reduce(Int64(0)) { $0 + ($1.iframe?.size ?? 0) }
            var a = Attributes()
            a.add("BANDWIDTH", "\(bits.max() ?? 0)")
            a.add("AVERAGE-BANDWIDTH", "\(r.bitsPerSecond(bytes: total, duration: r.totalDuration))")
            a.quoted("CODECS", r.codecs)
            a.add("RESOLUTION", "\(r.width ?? 0)x\(r.height ?? 0)")
            a.quoted("URI", iframeName(r))
            lines.append("#EXT-X-I-FRAME-STREAM-INF:" + a.text)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func keyAttributes(_ key: Protection) -> String {
        var a = Attributes()
        a.add("METHOD", "SAMPLE-AES")
        a.quoted("URI", key.hlsKeyURI ?? "")
        if let format = key.hlsKeyFormat {
            a.quoted("KEYFORMAT", format)
            a.quoted("KEYFORMATVERSIONS", "1")
        }
        return a.text
    }

    // MARK: media playlists

    /// Header shared by media, I-frame and subtitle playlists. The target duration is the
    /// ceiling of the longest segment, so every EXTINF (rounded to 3 decimals) stays ≤ it.
    /// `growing`: an EVENT playlist (segments only get appended, RFC 8216 §4.3.3.5) that
    /// players start at its beginning (EXT-X-START), not 3 target durations from its end.
    func header(targetDuration: Int64, iframesOnly: Bool = false, growing: Bool = false) -> [String] {
        [
            "#EXTM3U", "#EXT-X-VERSION:\(Self.version)", "#EXT-X-TARGETDURATION:\(targetDuration)",
            "#EXT-X-MEDIA-SEQUENCE:0", growing ? "#EXT-X-PLAYLIST-TYPE:EVENT" : "#EXT-X-PLAYLIST-TYPE:VOD",
        ]
            + (growing ? [Self.startAtBeginning] : [])
            + (iframesOnly ? ["#EXT-X-I-FRAMES-ONLY"] : []) + ["#EXT-X-INDEPENDENT-SEGMENTS"]
    }

    static let startAtBeginning = "#EXT-X-START:TIME-OFFSET=0,PRECISE=YES"

    /// Whether the media playlists are still growing (the first pass is being published).
    var growing: Bool { !presentation.complete }

    /// One target for every media playlist of the presentation (Apple's authoring spec 8.2),
    /// the largest EXTINF rounded to the nearest integer (RFC 8216 §4.3.3.1: each rounded
    /// EXTINF ≤ target), rounding halves up so every reading of "nearest" holds. Subtitle
    /// playlists cut on the same boundaries share it; a whole-file one cannot.
    var targetDuration: Int64 {
        var longest: Int64 = 0
        for r in presentation.renditions {
            for s in r.segments { longest = max(longest, Format.thousandths(s.duration, timescale: r.timescale)) }
        }
        for t in presentation.textTracks {
            guard let cut = t.vttSegments else { continue }
            for s in cut.segments { longest = max(longest, Format.thousandths(s.duration, timescale: cut.timescale)) }
        }
        return Self.rounded(longest)
    }

    /// Thousandths of a second rounded to the nearest second, halves up, at least 1.
    static func rounded(_ thousandths: Int64) -> Int64 { max(1, (thousandths + 500) / 1000) }

    func mediaPlaylist(_ r: Rendition) -> String { segmentPlaylist(r, iframesOnly: false) }

    /// One entry per segment: the byte range of its first (key) frame, lasting until the
    /// next segment's key frame.
    func iframePlaylist(_ r: Rendition) -> String { segmentPlaylist(r, iframesOnly: true) }

    /// A media playlist, or its I-frame twin, which names only each segment's key frame.
    private func segmentPlaylist(_ r: Rendition, iframesOnly: Bool) -> String {
        let name = iframesOnly ? iframeName(r) : mediaName(r)
        var lines = header(targetDuration: targetDuration, iframesOnly: iframesOnly, growing: growing)
        lines.append("#EXT-X-MAP:URI=\"\(Format.relative(r.initURI, from: name))\"")
        lines += keys.map { "#EXT-X-KEY:" + keyAttributes($0) }
        for s in r.segments {
            let range = s.iframe
            if iframesOnly && range == nil { continue }
            lines.append("#EXTINF:\(Format.decimal3(Format.thousandths(s.duration, timescale: r.timescale))),")
            if iframesOnly, let range { lines.append("#EXT-X-BYTERANGE:\(range.size)@\(range.offset)") }
            lines.append(Format.relative(s.uri, from: name))
        }
        // A growing playlist ends only when the complete one replaces it.
        if !growing { lines.append("#EXT-X-ENDLIST") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A subtitle playlist: the track's WebVTT segments (cut on the media's boundaries, each
    /// with an X-TIMESTAMP-MAP), or, for a host that did not cut them, the whole file as one
    /// segment.
    func subtitlePlaylist(_ t: TextTrack) -> String {
        let name = textName(t)
        var lines: [String]
        if let cut = t.vttSegments {
            lines = header(targetDuration: targetDuration)
            for s in cut.segments {
                lines.append("#EXTINF:\(Format.decimal3(Format.thousandths(s.duration, timescale: cut.timescale))),")
                lines.append(Format.relative(s.uri, from: name))
            }
        } else {
            let thousandths = Format.thousandths(t.duration)
            lines = header(targetDuration: Self.rounded(thousandths))
            lines.append("#EXTINF:\(Format.decimal3(thousandths)),")
            lines.append(Format.relative(t.uri, from: name))
        }
        lines.append("#EXT-X-ENDLIST")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// An attribute list (RFC 8216 §4.2). Quoted strings cannot escape anything, so a double
/// quote becomes an apostrophe and control characters (line breaks) become spaces.
struct Attributes {
    private var items: [String] = []

    mutating func add(_ name: String, _ value: String) { items.append("\(name)=\(value)") }
    mutating func quoted(_ name: String, _ value: String) { items.append("\(name)=\"\(Self.sanitize(value))\"") }

    var text: String { items.joined(separator: ",") }

    static func sanitize(_ value: String) -> String {
        String(
            String.UnicodeScalarView(
                value.unicodeScalars.map { scalar -> Unicode.Scalar in
                    if scalar == "\"" { return "'" }
                    if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                        || scalar.value == 0x2028 || scalar.value == 0x2029
                    {
                        return " "
                    }
                    return scalar
                }))
    }
}

/// NAME values must differ within a group: a repeated name gets the rendition id appended.
struct NameSet {
    private var used = Set<String>()

    mutating func unique(_ name: String, fallback: String) -> String {
        let clean = Attributes.sanitize(name)
        var candidate = clean.isEmpty ? fallback : clean
        if used.contains(candidate) { candidate += " (\(fallback))" }
        var n = 2
        let base = candidate
        while used.contains(candidate) {
            candidate = "\(base) \(n)"
            n += 1
        }
        used.insert(candidate)
        return candidate
    }
}
