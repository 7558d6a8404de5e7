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

    /// Audio renditions grouped by codec: a variant may only switch between renditions its
    /// CODECS attribute names, so each codec gets its own group (and its own variants).
    var audioGroups: [(id: String, codecs: String, members: [Rendition])] {
        var groups: [(id: String, codecs: String, members: [Rendition])] = []
        for r in presentation.audio {
            if let i = groups.firstIndex(where: { $0.codecs == r.codecs }) {
                groups[i].members.append(r)
            } else {
                groups.append((id: "", codecs: r.codecs, members: [r]))
            }
        }
        let single = groups.count == 1
        return groups.map { (id: single ? "audio" : "audio-\($0.codecs)", codecs: $0.codecs, members: $0.members) }
    }

    func masterPlaylist() -> String {
        var lines = ["#EXTM3U", "#EXT-X-VERSION:\(Self.version)", "#EXT-X-INDEPENDENT-SEGMENTS"]
        lines += keys.map { "#EXT-X-SESSION-KEY:" + keyAttributes($0) }
        let groups = audioGroups
        let subtitles = presentation.textTracks.isEmpty ? nil : "subs"
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
                    a.quoted("NAME", names.unique(r.label ?? r.language ?? r.id, fallback: r.id))
                    if let language = r.language { a.quoted("LANGUAGE", language) }
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
                a.quoted("NAME", names.unique(t.label ?? t.language ?? t.id, fallback: t.id))
                if let language = t.language { a.quoted("LANGUAGE", language) }
                a.add("DEFAULT", i == defaultIndex ? "YES" : "NO")
                a.add("AUTOSELECT", "YES")
                a.quoted("URI", textName(t))
                lines.append("#EXT-X-MEDIA:" + a.text)
            }
        }

        if video.isEmpty {
            // Audio-only: every audio rendition is a variant of its own.
            for r in presentation.audio {
                lines.append("")
                var a = Attributes()
                a.add("BANDWIDTH", "\(r.peakBandwidth)")
                if let average = r.averageBandwidthValue { a.add("AVERAGE-BANDWIDTH", "\(average)") }
                a.quoted("CODECS", r.codecs)
                if let subtitles { a.quoted("SUBTITLES", subtitles) }
                lines += ["#EXT-X-STREAM-INF:" + a.text, mediaName(r)]
            }
            return lines.joined(separator: "\n") + "\n"
        }

        let audioChoices: [(id: String, codecs: String, members: [Rendition])?] = groups.isEmpty ? [nil] : groups.map { $0 }
        for group in audioChoices {
            for r in video {
                lines.append("")
                // BANDWIDTH covers every rendition that can play with the variant: the
                // video plus the heaviest audio rendition of its group.
                let audioPeak = group?.members.map(\.peakBandwidth).max() ?? 0
                let audioAverage = group?.members.compactMap(\.averageBandwidthValue).max() ?? 0
                var a = Attributes()
                a.add("BANDWIDTH", "\(r.peakBandwidth + audioPeak)")
                if let average = r.averageBandwidthValue { a.add("AVERAGE-BANDWIDTH", "\(average + audioAverage)") }
                a.quoted("CODECS", ([r.codecs] + (group.map { [$0.codecs] } ?? [])).joined(separator: ","))
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
    func header(targetDuration: Int64, iframesOnly: Bool = false) -> [String] {
        [
            "#EXTM3U", "#EXT-X-VERSION:\(Self.version)", "#EXT-X-TARGETDURATION:\(targetDuration)",
            "#EXT-X-MEDIA-SEQUENCE:0", "#EXT-X-PLAYLIST-TYPE:VOD",
        ]
            + (iframesOnly ? ["#EXT-X-I-FRAMES-ONLY"] : []) + ["#EXT-X-INDEPENDENT-SEGMENTS"]
    }

    func targetDuration(_ r: Rendition) -> Int64 {
        let longest = r.segments.map(\.duration).max() ?? 1
        return max(1, (longest + r.timescale - 1) / r.timescale)
    }

    func mediaPlaylist(_ r: Rendition) -> String { segmentPlaylist(r, iframesOnly: false) }

    /// One entry per segment: the byte range of its first (key) frame, lasting until the
    /// next segment's key frame.
    func iframePlaylist(_ r: Rendition) -> String { segmentPlaylist(r, iframesOnly: true) }

    /// A media playlist, or its I-frame twin, which names only each segment's key frame.
    private func segmentPlaylist(_ r: Rendition, iframesOnly: Bool) -> String {
        let name = iframesOnly ? iframeName(r) : mediaName(r)
        var lines = header(targetDuration: targetDuration(r), iframesOnly: iframesOnly)
        lines.append("#EXT-X-MAP:URI=\"\(Format.relative(r.initURI, from: name))\"")
        lines += keys.map { "#EXT-X-KEY:" + keyAttributes($0) }
        for s in r.segments {
            let range = s.iframe
            if iframesOnly && range == nil { continue }
            lines.append("#EXTINF:\(Format.decimal3(Format.thousandths(s.duration, timescale: r.timescale))),")
            if iframesOnly, let range { lines.append("#EXT-X-BYTERANGE:\(range.size)@\(range.offset)") }
            lines.append(Format.relative(s.uri, from: name))
        }
        lines.append("#EXT-X-ENDLIST")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A WebVTT file as a one-segment playlist (HLS delivers subtitles through playlists).
    func subtitlePlaylist(_ t: TextTrack) -> String {
        let name = textName(t)
        let thousandths = Format.thousandths(t.duration)
        var lines = header(targetDuration: max(1, (thousandths + 999) / 1000))
        lines.append("#EXTINF:\(Format.decimal3(thousandths)),")
        lines.append(Format.relative(t.uri, from: name))
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
