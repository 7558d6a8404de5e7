import KinoraPluginKit

/// Writes one static MPD (ISO/IEC 23009-1, isoff-live profile, DASH-IF interoperability
/// points): one Period; video Adaptation Sets per codec, audio per group (codec and channel
/// layout) and language, one per caption track (fMP4 `wvtt` segments when the host cut
/// them, else the WebVTT file as the one segment of a template); SegmentTemplate with
/// SegmentTimeline where the segment names follow `<id>/seg-%05d.<ext>`, SegmentList with
/// the same timeline otherwise.
struct DASHWriter {
    static let mediaType = "application/dash+xml"
    static let entry = "manifest.mpd"
    static let roleScheme = "urn:mpeg:dash:role:2011"
    static let channelScheme = "urn:mpeg:dash:23003:3:audio_channel_configuration:2011"
    static let webVTTFileScheme = "urn:org:kinora:webvtt-file:2026"

    let presentation: Presentation
    let protection: DASHProtection?

    init(_ presentation: Presentation) throws {
        self.presentation = presentation
        protection = try DASHProtection(presentation.protection)
    }

    func manifest() -> String {
        let av = presentation.renditions
        let durationMs = av.map { Format.thousandths($0.end, timescale: $0.timescale) }.max() ?? 0
        let longestMs = av.flatMap { r in r.segments.map { Format.thousandths($0.duration, timescale: r.timescale) } }.max() ?? 0
        var x = XMLWriter()
        x.open(
            "MPD",
            [
                ("xmlns", "urn:mpeg:dash:schema:mpd:2011"),
                ("xmlns:cenc", "urn:mpeg:cenc:2013"),
                ("xmlns:dashif", protection?.needsDashifNamespace == true ? DASHProtection.dashifNamespace : nil),
                ("profiles", "urn:mpeg:dash:profile:isoff-live:2011"),
                ("type", "static"),
                ("mediaPresentationDuration", Self.isoDuration(durationMs)),
                ("maxSegmentDuration", Self.isoDuration(longestMs)),
                ("minBufferTime", Self.isoDuration(max(longestMs, 1000))),
            ])
        x.open("Period", [("id", "0"), ("start", "PT0S")])
        var setID = 0
        let videoSets = Self.grouped(presentation.video) { Self.fourCC($0.codecs) }
        for (i, set) in videoSets.enumerated() {
            writeVideoSet(&x, id: setID, renditions: set, main: i == 0 && videoSets.count > 1)
            setID += 1
        }
        for (set, main) in audioSets {
            writeAudioSet(&x, id: setID, renditions: set, main: main)
            setID += 1
        }
        for track in presentation.textTracks {
            writeTextSet(&x, id: setID, track: track)
            setID += 1
        }
        x.close("Period")
        x.close("MPD")
        return x.text
    }

    /// Audio Adaptation Sets, each with whether it is its group's main one. With the
    /// contract's `group` keys: one set per (group, language), `main` where the group's
    /// default rendition is (the group's first set when none is marked). Without them, as
    /// before: one set per (language, codec), the default's set (else the first) main.
    var audioSets: [(renditions: [Rendition], main: Bool)] {
        let audio = presentation.audio
        guard audio.contains(where: { $0.group != nil }) else {
            let sets = Self.grouped(audio) { ($0.language ?? "") + " " + Self.fourCC($0.codecs) }
            let main = sets.firstIndex { $0.contains { $0.isDefault == true } } ?? 0
            return sets.enumerated().map { ($0.element, $0.offset == main) }
        }
        let sets = Self.grouped(audio) { $0.audioGroup + " " + ($0.language ?? "und") }
        var mains: [String: Int] = [:]
        for (i, set) in sets.enumerated() where set.contains(where: { $0.isDefault == true }) { mains[set[0].audioGroup] = mains[set[0].audioGroup] ?? i }
        for (i, set) in sets.enumerated() where mains[set[0].audioGroup] == nil { mains[set[0].audioGroup] = i }
        return sets.enumerated().map { ($0.element, mains[$0.element[0].audioGroup] == $0.offset) }
    }

    func writeVideoSet(_ x: inout XMLWriter, id: Int, renditions: [Rendition], main: Bool) {
        let rates = renditions.compactMap(\.frameRate)
        x.open(
            "AdaptationSet",
            [
                ("id", "\(id)"), ("contentType", "video"), ("mimeType", "video/mp4"),
                ("maxWidth", renditions.compactMap(\.width).max().map { "\($0)" }),
                ("maxHeight", renditions.compactMap(\.height).max().map { "\($0)" }),
                ("maxFrameRate", rates.count == renditions.count ? rates.max().map(Self.frameRate) : nil),
                // DASH-IF IOP: the picture aspect ratio of the set, square pixels (the worker
                // scales to them).
                ("par", Self.pictureAspectRatio(renditions)), ("sar", "1:1"),
                ("segmentAlignment", "true"), ("startWithSAP", "1"),
            ])
        protection?.write(&x)
        if main { x.empty("Role", [("schemeIdUri", Self.roleScheme), ("value", "main")]) }
        for r in renditions {
            x.open(
                "Representation",
                [
                    ("id", r.id), ("bandwidth", "\(r.peakBandwidth)"), ("codecs", r.codecs),
                    ("width", r.width.map { "\($0)" }), ("height", r.height.map { "\($0)" }),
                    ("frameRate", r.frameRate.map(Self.frameRate)),
                ])
            writeSegments(&x, r)
            x.close("Representation")
        }
        x.close("AdaptationSet")
    }

    func writeAudioSet(_ x: inout XMLWriter, id: Int, renditions: [Rendition], main: Bool) {
        x.open(
            "AdaptationSet",
            [
                ("id", "\(id)"), ("contentType", "audio"), ("mimeType", "audio/mp4"), ("lang", renditions.first?.language ?? "und"),
                ("segmentAlignment", "true"), ("startWithSAP", "1"),
            ])
        protection?.write(&x)
        if let label = renditions.lazy.compactMap({ $0.name ?? $0.label }).first { x.element("Label", text: label) }
        let contract = presentation.audio.contains { $0.group != nil }
        if main || contract { x.empty("Role", [("schemeIdUri", Self.roleScheme), ("value", main ? "main" : "alternate")]) }
        for r in renditions {
            x.open(
                "Representation",
                [
                    ("id", r.id), ("bandwidth", "\(r.peakBandwidth)"), ("codecs", r.codecs),
                    ("audioSamplingRate", r.sampleRate.map { "\($0)" }),
                ])
            if let channels = r.channels {
                x.empty("AudioChannelConfiguration", [("schemeIdUri", Self.channelScheme), ("value", "\(channels)")])
            }
            writeSegments(&x, r)
            x.close("Representation")
        }
        x.close("AdaptationSet")
    }

    /// A caption track. Its cues cut into fMP4 `wvtt` segments (ISO/IEC 14496-30) when the
    /// host made them: what the live profile expects (a SegmentTemplate) and what VLC 3.0
    /// reads without crashing. Otherwise the WebVTT file as the single segment of a
    /// template, still within the profile. The default track carries Role `main` beside
    /// `subtitle`, as HLS marks it DEFAULT=YES.
    func writeTextSet(_ x: inout XMLWriter, id: Int, track: TextTrack) {
        let mp4 = track.mp4
        x.open(
            "AdaptationSet",
            [
                ("id", "\(id)"), ("contentType", "text"), ("mimeType", mp4 == nil ? "text/vtt" : "application/mp4"),
                ("codecs", mp4.map { $0.codecs ?? "wvtt" }), ("lang", track.language ?? "und"),
                ("segmentAlignment", "true"), ("startWithSAP", mp4 == nil ? nil : "1"),
            ])
        // Where the whole WebVTT file is, for a player that renders captions as a <track>
        // (ours: MSE has no text). Others ignore a SupplementalProperty they do not know.
        if mp4 != nil { x.empty("SupplementalProperty", [("schemeIdUri", Self.webVTTFileScheme), ("value", track.uri)]) }
        if let label = track.label { x.element("Label", text: label) }
        if track.isDefault == true { x.empty("Role", [("schemeIdUri", Self.roleScheme), ("value", "main")]) }
        x.empty("Role", [("schemeIdUri", Self.roleScheme), ("value", "subtitle")])
        let bytes = mp4.map { $0.segments.reduce(Int64(0)) { $0 + ($1.size ?? 0) } } ?? track.size
        let bandwidth = bytes.map { max(1, Int64((Double($0) * 8 / track.duration).rounded(.up))) } ?? 256
        x.open("Representation", [("id", track.id), ("bandwidth", "\(min(max(bandwidth, 1), Int64(UInt32.max)))")])
        if let mp4, let initURI = mp4.initURI {
            writeSegments(&x, id: track.id, timescale: mp4.timescale, initURI: initURI, segments: mp4.segments)
        } else {
            let ms = max(1, Format.thousandths(track.duration))
            // The file is the template's only segment: the URI has no identifier to expand.
            x.open("SegmentTemplate", [("timescale", "1000"), ("media", track.uri), ("startNumber", "1")])
            writeTimeline(&x, [Segment(uri: track.uri, start: 0, duration: ms)])
            x.close("SegmentTemplate")
        }
        x.close("Representation")
        x.close("AdaptationSet")
    }

    // MARK: segments

    /// The start number when every segment is `<id>/seg-<number, at least 5 digits>.m4s`
    /// with consecutive numbers, i.e. when `$Number%05d$` names them all.
    static func templateStartNumber(id: String, segments: [Segment]) -> Int64? {
        let prefix = "\(id)/seg-"
        guard let first = segments.first?.uri, first.hasPrefix(prefix), first.hasSuffix(".m4s") else { return nil }
        guard let start = Int64(first.dropFirst(prefix.count).dropLast(4)), start >= 0, start <= Int64(UInt32.max) - Int64(segments.count) else {
            return nil
        }
        for (k, s) in segments.enumerated() where s.uri != prefix + padded(start + Int64(k)) + ".m4s" { return nil }
        return start
    }

    static func padded(_ n: Int64) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    func writeSegments(_ x: inout XMLWriter, _ r: Rendition) {
        writeSegments(&x, id: r.id, timescale: r.timescale, initURI: r.initURI, segments: r.segments)
    }

    func writeSegments(_ x: inout XMLWriter, id: String, timescale: Int64, initURI: String, segments: [Segment]) {
        if let start = Self.templateStartNumber(id: id, segments: segments) {
            x.open(
                "SegmentTemplate",
                [
                    ("timescale", "\(timescale)"),
                    // Ids and URIs never contain "$" (validated), so nothing needs "$$" escaping.
                    ("initialization", initURI),
                    ("media", "\(id)/seg-$Number%05d$.m4s"),
                    ("startNumber", "\(start)"),
                ])
            writeTimeline(&x, segments)
            x.close("SegmentTemplate")
        } else {
            x.open("SegmentList", [("timescale", "\(timescale)")])
            x.empty("Initialization", [("sourceURL", initURI)])
            writeTimeline(&x, segments)
            for s in segments { x.empty("SegmentURL", [("media", s.uri)]) }
            x.close("SegmentList")
        }
    }

    /// S elements: `t` where the timeline starts or jumps, runs of equal durations as `r`.
    func writeTimeline(_ x: inout XMLWriter, _ segments: [Segment]) {
        var runs: [(t: Int64?, d: Int64, r: Int)] = []
        var expected: Int64?
        for s in segments {
            if let last = runs.last, s.start == expected, s.duration == last.d {
                runs[runs.count - 1].r += 1
            } else {
                runs.append((t: s.start == expected ? nil : s.start, d: s.duration, r: 0))
            }
            expected = s.start + s.duration
        }
        x.open("SegmentTimeline")
        for run in runs {
            x.empty("S", [("t", run.t.map { "\($0)" }), ("d", "\(run.d)"), ("r", run.r > 0 ? "\(run.r)" : nil)])
        }
        x.close("SegmentTimeline")
    }

    // MARK: formatting

    static func grouped(_ renditions: [Rendition], by key: (Rendition) -> String) -> [[Rendition]] {
        var keys: [String] = []
        var groups: [String: [Rendition]] = [:]
        for r in renditions {
            let k = key(r)
            if groups[k] == nil { keys.append(k) }
            groups[k, default: []].append(r)
        }
        return keys.compactMap { groups[$0] }
    }

    /// The set's picture aspect ratio from its largest picture, as a small ratio (16:9, 4:3)
    /// when one is within 1 % of it: rungs such as 426x240 are 16:9 to the eye.
    static func pictureAspectRatio(_ renditions: [Rendition]) -> String? {
        guard let largest = renditions.max(by: { ($0.width ?? 0) * ($0.height ?? 0) < ($1.width ?? 0) * ($1.height ?? 0) }),
            let w = largest.width, let h = largest.height, w > 0, h > 0
        else { return nil }
        let ratio = Double(w) / Double(h)
        for d in Int64(1)...32 {
            let n = (ratio * Double(d)).rounded()
            if n >= 1, abs(n / Double(d) - ratio) <= ratio * 0.01 { return "\(Int64(n)):\(d)" }
        }
        var a = w, b = h
        while b != 0 { (a, b) = (b, a % b) }
        return "\(w / a):\(h / a)"
    }

    static func fourCC(_ codecs: String) -> String { String(codecs.prefix { $0 != "." }) }

    /// xs:duration from thousandths of a second: "PT1H2M3.5S", "PT4S", "PT0S".
    static func isoDuration(_ thousandths: Int64) -> String {
        let h = thousandths / 3_600_000, m = thousandths / 60_000 % 60, ms = thousandths % 60_000
        var s = "PT"
        if h > 0 { s += "\(h)H" }
        if m > 0 { s += "\(m)M" }
        if ms > 0 || (h == 0 && m == 0) {
            var seconds = Format.decimal3(ms)
            while seconds.hasSuffix("0") { seconds.removeLast() }
            if seconds.hasSuffix(".") { seconds.removeLast() }
            s += seconds + "S"
        }
        return s
    }

    /// FrameRateType: an integer, N*1000/1001 for NTSC rates (29.97 → 30000/1001), else a
    /// reduced fraction over 1000.
    static func frameRate(_ f: Double) -> String {
        if abs(f - f.rounded()) < 0.0005 { return "\(Int64(f.rounded()))" }
        let ntsc = (f * 1.001).rounded()
        if abs(f * 1.001 - ntsc) < 0.0005 { return "\(Int64(ntsc) * 1000)/1001" }
        var n = Int64((f * 1000).rounded()), d: Int64 = 1000
        var a = n, b = d
        while b != 0 { (a, b) = (b, a % b) }
        n /= a
        d /= a
        return "\(n)/\(d)"
    }
}
