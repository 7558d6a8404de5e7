// The `kinora.packager/1` presentation (kinora/plugin.h), decoded and validated, for every
// packager plugin written with the kit. Unknown keys are ignored by construction (Decodable
// skips them), so the host can add information without a packager/2.

/// The presentation a packager receives: every rendition with its segments, plus text tracks
/// and DRM entries. Parsing it here means each packager starts from checked values instead of
/// repeating the JSON rules.
///
/// ```swift
/// let presentation = try PackagerPresentation.parse(json)
/// for rendition in presentation.video {
///     print(rendition.id, rendition.peakBandwidth, rendition.segments.count)
/// }
/// ```
public struct PackagerPresentation: Decodable {
    public var renditions: [PresentationRendition]
    public var textTracks: [PresentationTextTrack]
    public var protection: [PresentationProtection]
    /// False while the host publishes the first pass segment by segment
    /// (`kinora.packager.growing/1`); absent, so true, otherwise.
    public var complete: Bool

    enum CodingKeys: String, CodingKey { case renditions, textTracks = "text_tracks", protection, complete }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        renditions = try c.decode([PresentationRendition].self, forKey: .renditions)
        textTracks = try c.decodeIfPresent([PresentationTextTrack].self, forKey: .textTracks) ?? []
        protection = try c.decodeIfPresent([PresentationProtection].self, forKey: .protection) ?? []
        complete = try c.decodeIfPresent(Bool.self, forKey: .complete) ?? true
    }

    public var video: [PresentationRendition] { renditions.filter { $0.type == "video" } }
    public var audio: [PresentationRendition] { renditions.filter { $0.type == "audio" } }
}

/// One audio or video rendition: its codec and bandwidth for the master manifest, and its
/// segments on a shared timeline for the media manifest.
///
/// ```swift
/// for r in presentation.video {
///     let seconds = Format.decimal3(Format.thousandths(r.totalDuration, timescale: r.timescale))
///     let initPath = Format.relative(r.initURI, from: "\(r.id)/media.m3u8")
/// }
/// ```
public struct PresentationRendition: Decodable {
    public var id: String
    public var type: String
    public var codecs: String
    public var bandwidth: Int64
    public var averageBandwidth: Int64?
    public var width: Int64?
    public var height: Int64?
    public var frameRate: Double?
    /// Audio: a BCP 47 tag ("en", "pt-br"; "und" when the source did not say).
    public var language: String?
    public var label: String?
    /// Audio: what a track menu shows ("English", "Français (5.1)"); preferred over `label`.
    public var name: String?
    /// Audio: the one rendition of its `group` a player picks first.
    public var isDefault: Bool?
    /// Audio: one group per codec and channel layout ("aac-2ch", "aac-6ch", "aac-8ch", "ec3-6ch");
    /// absent means "aac-2ch" (``audioGroup``).
    public var group: String?
    public var channels: Int64?
    public var sampleRate: Int64?
    public var timescale: Int64
    public var initURI: String
    public var segments: [PresentationSegment]

    enum CodingKeys: String, CodingKey {
        case id, type, codecs, bandwidth, averageBandwidth = "average_bandwidth", width, height
        case frameRate = "frame_rate", language, label, name, isDefault = "default", group, channels
        case sampleRate = "sample_rate", timescale, initURI = "init", segments
    }

    /// The audio group this rendition belongs to (the contract's default when absent).
    public var audioGroup: String { group ?? "aac-2ch" }

    /// What a menu shows: the name, else the label, else the language, else the id.
    public var displayName: String { name ?? label ?? language ?? id }

    /// Sum of the segment durations, in timescale units.
    public var totalDuration: Int64 { segments.reduce(0) { $0 + $1.duration } }
    /// End of the last segment on the presentation timeline, in timescale units.
    public var end: Int64 { segments.last.map { $0.start + $0.duration } ?? 0 }

    /// The declared peak, raised to the one measured from the sizes by Apple's rule (HLS
    /// authoring spec 1.27): the highest bit rate of any run of consecutive segments lasting
    /// 0.5 to 1.5 target durations. A short last segment alone is no such run: taking every
    /// segment's own rate declared twice the peak players measure for a heavy last second.
    public var peakBandwidth: Int64 {
        guard timescale > 0, segments.allSatisfy({ $0.size != nil && $0.duration > 0 }) else { return bandwidth }
        let longest = segments.map { Double($0.duration) / Double(timescale) }.max() ?? 0
        let target = Double(max(1, Int64(longest.rounded())) * timescale)
        var measured: Int64 = 0
        for first in segments.indices {
            var bytes: Int64 = 0
            var ticks: Int64 = 0
            for segment in segments[first...] {
                bytes += segment.size ?? 0
                ticks += segment.duration
                if Double(ticks) > 1.5 * target { break }
                if Double(ticks) >= 0.5 * target { measured = max(measured, bitsPerSecond(bytes: bytes, duration: ticks)) }
            }
        }
        return max(bandwidth, measured)
    }

    /// The declared average, or the one measured from the sizes when every segment has one.
    public var averageBandwidthValue: Int64? {
        if let averageBandwidth { return averageBandwidth }
        let sizes = segments.compactMap(\.size)
        guard sizes.count == segments.count, totalDuration > 0 else { return nil }
        return bitsPerSecond(bytes: sizes.reduce(0, +), duration: totalDuration)
    }

    /// The bit rate of `bytes` played over `duration`, rounded up so a player's budget holds.
    ///
    /// - Parameters:
    ///   - bytes: How many bytes were sent.
    ///   - duration: How long they play, in this rendition's timescale units; must not be 0.
    public func bitsPerSecond(bytes: Int64, duration: Int64) -> Int64 {
        Int64((Double(bytes) * 8 * Double(timescale) / Double(duration)).rounded(.up))
    }
}

/// One CMAF segment of a rendition, in the rendition's timescale; `size` lets a packager
/// measure bit rates and `iframe` lets it write trick-play playlists.
///
/// ```swift
/// for s in r.segments {
///     lines.append("#EXTINF:\(Format.decimal3(Format.thousandths(s.duration, timescale: r.timescale))),")
///     lines.append(Format.relative(s.uri, from: name))
/// }
/// ```
public struct PresentationSegment: Decodable {
    public var uri: String
    public var start: Int64
    public var duration: Int64
    public var size: Int64?
    public var iframe: PresentationByteRange?

    public init(uri: String, start: Int64, duration: Int64, size: Int64? = nil, iframe: PresentationByteRange? = nil) {
        self.uri = uri
        self.start = start
        self.duration = duration
        self.size = size
        self.iframe = iframe
    }
}

/// A byte range inside a segment file, here the key frame that trick play fetches without the
/// rest of the segment.
///
/// ```swift
/// if let frame = segment.iframe {
///     lines.append("#EXT-X-BYTERANGE:\(frame.size)@\(frame.offset)")
/// }
/// ```
public struct PresentationByteRange: Decodable {
    public var offset: Int64
    public var size: Int64
}

/// A WebVTT subtitle track. It is one file rather than segments, so its duration is in
/// seconds instead of a timescale.
///
/// ```swift
/// for t in presentation.textTracks {
///     let ms = Format.thousandths(t.duration)
///     print(t.language ?? "und", Format.decimal3(ms), t.uri)
/// }
/// ```
public struct PresentationTextTrack: Decodable {
    public var id: String
    public var language: String?
    public var label: String?
    public var isDefault: Bool?
    public var uri: String
    public var duration: Double
    public var size: Int64?
    /// The same cues cut on the presentation's segment boundaries as WebVTT files, each
    /// with an `X-TIMESTAMP-MAP` header (what HLS subtitle playlists name); absent when the
    /// host did not cut them.
    public var vttSegments: PresentationTextSegments?
    /// The same cues as fragmented MP4 (`wvtt`, ISO/IEC 14496-30), for DASH.
    public var mp4: PresentationTextSegments?

    enum CodingKeys: String, CodingKey {
        case id, language, label, isDefault = "default", uri, duration, size, vttSegments = "vtt_segments", mp4
    }
}

/// A caption track cut into segments: WebVTT files (no `init`) or fMP4 (`init`, `codecs`).
///
/// ```swift
/// if let mp4 = track.mp4 { print(mp4.codecs ?? "wvtt", mp4.initURI ?? "", mp4.segments.count) }
/// ```
public struct PresentationTextSegments: Decodable {
    public var codecs: String?
    public var timescale: Int64
    public var initURI: String?
    public var segments: [PresentationSegment]

    enum CodingKeys: String, CodingKey { case codecs, timescale, initURI = "init", segments }
}

/// One DRM system protecting the segments. Each manifest format signals only what it can
/// (HLS needs `cbcs` and `hlsKeyURI`; DASH needs `kid` and `systemID`), so the entry carries
/// both.
///
/// ```swift
/// let cbcs = presentation.protection.filter { $0.scheme == "cbcs" && $0.hlsKeyURI != nil }
/// let systems = presentation.protection.compactMap { $0.systemID.flatMap(Check.uuid) }
/// ```
public struct PresentationProtection: Decodable {
    public var scheme: String
    public var kid: String?
    public var systemID: String?
    public var pssh: String?
    public var licenseURL: String?
    public var hlsKeyURI: String?
    public var hlsKeyFormat: String?

    enum CodingKeys: String, CodingKey {
        case scheme, kid, systemID = "system_id", pssh, licenseURL = "license_url"
        case hlsKeyURI = "hls_key_uri", hlsKeyFormat = "hls_keyformat"
    }
}

// MARK: parsing and validation

extension PackagerPresentation {
    /// Decodes and checks a presentation; every refusal is `.invalidArgument` naming the key.
    ///
    /// - Parameter json: The presentation string the host passed to `package`.
    /// - Returns: The presentation, with every identifier, URI and timeline checked.
    /// - Throws: ``PluginStatus/invalidArgument`` with a message such as
    ///   "presentation.renditions[0].timescale: …".
    public static func parse(_ json: String) throws -> PackagerPresentation {
        let presentation: PackagerPresentation
        do {
            presentation = try JSONValueDecoder().decode(PackagerPresentation.self, from: json)
        } catch let error as DecodingError {
            throw PluginError(.invalidArgument, describe(error))
        }
        try presentation.validate()
        return presentation
    }

    public static func path(_ keys: [any CodingKey]) -> String {
        keys.reduce("presentation") { path, key in key.intValue.map { "\(path)[\($0)]" } ?? "\(path).\(key.stringValue)" }
    }

    public static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context): return path(context.codingPath + [key]) + ": required"
        case .valueNotFound(_, let context): return path(context.codingPath) + ": must not be null"
        case .typeMismatch(let type, let context): return path(context.codingPath) + ": expected " + typeName(type)
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "presentation: not a valid JSON object (\(context.debugDescription))" }
            return path(context.codingPath) + ": " + context.debugDescription
        @unknown default: return "presentation: \(error)"
        }
    }

    public static func typeName(_ type: Any.Type) -> String { JSONValueDecoder.typeName(type) }

    public func validate() throws {
        func fail(_ path: String, _ message: String) -> PluginError { PluginError(.invalidArgument, "\(path): \(message)") }
        let maxTicks: Int64 = 1 << 52  // keeps every product below Int64 and Double exact
        guard !renditions.isEmpty else { throw fail("presentation.renditions", "must contain at least one rendition") }
        var ids = Set<String>()
        for (i, r) in renditions.enumerated() {
            let p = "presentation.renditions[\(i)]"
            guard Check.isIdentifier(r.id) else { throw fail(p + ".id", Check.identifierRule) }
            guard ids.insert(r.id).inserted else { throw fail(p + ".id", "\"\(r.id)\" is used twice") }
            guard r.type == "video" || r.type == "audio" else { throw fail(p + ".type", "must be \"video\" or \"audio\"") }
            guard Check.isCodec(r.codecs) else { throw fail(p + ".codecs", "must be one RFC 6381 codec such as avc1.64001f or mp4a.40.2") }
            guard (1...Int64(UInt32.max)).contains(r.bandwidth) else { throw fail(p + ".bandwidth", "must be 1...4294967295 bits/s") }
            if let a = r.averageBandwidth, !(1...r.bandwidth).contains(a) { throw fail(p + ".average_bandwidth", "must be 1...bandwidth") }
            if r.type == "video" {
                guard let w = r.width else { throw fail(p + ".width", "required for video") }
                guard let h = r.height else { throw fail(p + ".height", "required for video") }
                guard (1...65535).contains(w) else { throw fail(p + ".width", "must be 1...65535") }
                guard (1...65535).contains(h) else { throw fail(p + ".height", "must be 1...65535") }
            }
            if let f = r.frameRate, !(f > 0 && f <= 1000) { throw fail(p + ".frame_rate", "must be in (0, 1000]") }
            if let c = r.channels, !(1...64).contains(c) { throw fail(p + ".channels", "must be 1...64") }
            if let g = r.group, !Check.isIdentifier(g) { throw fail(p + ".group", Check.identifierRule) }
            if let s = r.sampleRate, !(1...1_000_000).contains(s) { throw fail(p + ".sample_rate", "must be 1...1000000") }
            if let l = r.language, !Check.isLanguage(l) { throw fail(p + ".language", Check.languageRule) }
            guard (1...10_000_000).contains(r.timescale) else { throw fail(p + ".timescale", "must be 1...10000000") }
            guard Check.isRelativeURI(r.initURI) else { throw fail(p + ".init", Check.uriRule) }
            guard !r.segments.isEmpty else { throw fail(p + ".segments", "must contain at least one segment") }
            var previousEnd: Int64 = 0
            for (k, s) in r.segments.enumerated() {
                let sp = "\(p).segments[\(k)]"
                guard Check.isRelativeURI(s.uri) else { throw fail(sp + ".uri", Check.uriRule) }
                guard (0..<maxTicks).contains(s.start) else { throw fail(sp + ".start", "must be 0...2^52") }
                guard (1..<maxTicks).contains(s.duration) else { throw fail(sp + ".duration", "must be 1...2^52 timescale units") }
                guard s.start >= previousEnd else { throw fail(sp + ".start", "overlaps segments[\(k - 1)]") }
                previousEnd = s.start + s.duration
                if let size = s.size, !(0..<maxTicks).contains(size) { throw fail(sp + ".size", "must be 0...2^52") }
                if let f = s.iframe {
                    guard (0..<maxTicks).contains(f.offset) else { throw fail(sp + ".iframe.offset", "must be 0...2^52") }
                    guard (1..<maxTicks).contains(f.size) else { throw fail(sp + ".iframe.size", "must be 1...2^52") }
                    if let size = s.size, f.offset + f.size > size { throw fail(sp + ".iframe", "ends after the segment's size") }
                }
            }
            guard previousEnd < maxTicks else { throw fail(p + ".segments", "end after 2^52 timescale units") }
        }
        for (i, t) in textTracks.enumerated() {
            let p = "presentation.text_tracks[\(i)]"
            guard Check.isIdentifier(t.id) else { throw fail(p + ".id", Check.identifierRule) }
            guard ids.insert(t.id).inserted else { throw fail(p + ".id", "\"\(t.id)\" is used twice (ids name folders)") }
            if let l = t.language, !Check.isLanguage(l) { throw fail(p + ".language", Check.languageRule) }
            guard Check.isRelativeURI(t.uri) else { throw fail(p + ".uri", Check.uriRule) }
            guard t.duration > 0 && t.duration < 1e9 else { throw fail(p + ".duration", "must be a positive number of seconds") }
            if let size = t.size, !(0..<maxTicks).contains(size) { throw fail(p + ".size", "must be 0...2^52") }
            for (key, form) in [("vtt_segments", t.vttSegments), ("mp4", t.mp4)] {
                guard let form else { continue }
                let fp = p + "." + key
                guard (1...10_000_000).contains(form.timescale) else { throw fail(fp + ".timescale", "must be 1...10000000") }
                if let c = form.codecs, !Check.isCodec(c) { throw fail(fp + ".codecs", "must be one RFC 6381 codec such as wvtt") }
                if let i = form.initURI, !Check.isRelativeURI(i) { throw fail(fp + ".init", Check.uriRule) }
                guard !form.segments.isEmpty else { throw fail(fp + ".segments", "must contain at least one segment") }
                var previousEnd: Int64 = 0
                for (k, s) in form.segments.enumerated() {
                    let sp = "\(fp).segments[\(k)]"
                    guard Check.isRelativeURI(s.uri) else { throw fail(sp + ".uri", Check.uriRule) }
                    guard (0..<maxTicks).contains(s.start), s.start >= previousEnd else { throw fail(sp + ".start", "must be 0...2^52, after the previous segment") }
                    guard (1..<maxTicks).contains(s.duration) else { throw fail(sp + ".duration", "must be 1...2^52 timescale units") }
                    previousEnd = s.start + s.duration
                }
            }
        }
        for (i, e) in protection.enumerated() {
            let p = "presentation.protection[\(i)]"
            guard Check.isToken(e.scheme) else { throw fail(p + ".scheme", "must be a scheme such as \"cenc\" or \"cbcs\"") }
            if let kid = e.kid, Check.uuid(kid) == nil { throw fail(p + ".kid", "must be 32 hexadecimal digits") }
            if let id = e.systemID, Check.uuid(id) == nil { throw fail(p + ".system_id", "must be a UUID") }
            if let pssh = e.pssh, !Check.isBase64(pssh) { throw fail(p + ".pssh", "must be base64") }
            for (key, value) in [("license_url", e.licenseURL), ("hls_key_uri", e.hlsKeyURI), ("hls_keyformat", e.hlsKeyFormat)] {
                if let value, !Check.isAttributeSafeURI(value) {
                    throw fail(p + "." + key, "must be a URI without quotes, spaces or control characters")
                }
            }
        }
    }
}

/// Character-level checks, shared by validation and the writers, so a value the validator
/// accepted is written the same way it was checked.
///
/// ```swift
/// guard let kid = entry.kid.flatMap(Check.uuid) else { throw PluginError(.invalidArgument, "kid") }
/// let ok = Check.isLanguage("pt-BR") && Check.isRelativeURI("720p/seg-1.m4s")
/// ```
public enum Check {
    static let identifierRule = "must be 1-64 characters of A-Z a-z 0-9 . _ - (not \".\" or \"..\")"
    static let uriRule = "must be a relative path (segments of A-Z a-z 0-9 - . _ ~ % + = @ , ! separated by /, no . or ..)"
    static let languageRule = "must be a BCP 47 language tag such as en or pt-BR"

    public static func all(_ s: String, _ allowed: (UInt8) -> Bool) -> Bool { !s.isEmpty && s.utf8.allSatisfy(allowed) }
    public static func isAlnum(_ c: UInt8) -> Bool { (0x30...0x39).contains(c) || (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) }

    public static func isIdentifier(_ s: String) -> Bool {
        s.utf8.count <= 64 && s != "." && s != ".." && all(s) { isAlnum($0) || "._-".utf8.contains($0) }
    }

    public static func isCodec(_ s: String) -> Bool { s.utf8.count <= 128 && all(s) { isAlnum($0) || ".-_+".utf8.contains($0) } }
    public static func isToken(_ s: String) -> Bool { s.utf8.count <= 64 && all(s) { isAlnum($0) || "-_".utf8.contains($0) } }
    public static func isBase64(_ s: String) -> Bool { all(s) { isAlnum($0) || "+/=".utf8.contains($0) } }

    public static func isLanguage(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, (2...8).contains(first.utf8.count),
            first.utf8.allSatisfy({ isAlnum($0) && $0 > 0x39 })
        else { return false }
        return parts.dropFirst().allSatisfy { (1...8).contains($0.utf8.count) && $0.utf8.allSatisfy(isAlnum) }
    }

    public static func isRelativeURI(_ s: String) -> Bool {
        guard s.utf8.count <= 1024, all(s, { isAlnum($0) || "-._~%+=@,!/".utf8.contains($0) }) else { return false }
        return s.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    public static func isAttributeSafeURI(_ s: String) -> Bool {
        s.utf8.count <= 2048 && all(s) { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "'") && $0 != UInt8(ascii: "\\") }
    }

    /// A 128-bit id (with or without dashes) as lowercase 8-4-4-4-12, or nil.
    public static func uuid(_ s: String) -> String? {
        let hex = s.lowercased().utf8.filter { $0 != UInt8(ascii: "-") }
        guard hex.count == 32, hex.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else { return nil }
        let h = String(decoding: hex, as: UTF8.self)
        var out = ""
        for (i, c) in h.enumerated() {
            if [8, 12, 16, 20].contains(i) { out.append("-") }
            out.append(c)
        }
        return out
    }
}

/// Number and path formatting with integer arithmetic only (no locale, deterministic), so the
/// same presentation always yields byte-identical manifests.
///
/// ```swift
/// Format.decimal3(Format.thousandths(96_000, timescale: 48_000))   // "2.000"
/// Format.relative("720p/init.mp4", from: "720p/media.m3u8")        // "init.mp4"
/// ```
public enum Format {
    /// `thousandths` as "12.345".
    public static func decimal3(_ thousandths: Int64) -> String {
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// `value` timescale units in thousandths of a second, rounded to nearest.
    public static func thousandths(_ value: Int64, timescale: Int64) -> Int64 { (value * 1000 + timescale / 2) / timescale }

    public static func thousandths(_ seconds: Double) -> Int64 { Int64((seconds * 1000).rounded()) }

    /// `target` (relative to the presentation root) as seen from the file `manifest`.
    public static func relative(_ target: String, from manifest: String) -> String {
        let base = manifest.split(separator: "/").dropLast()
        let parts = target.split(separator: "/")
        var common = 0
        while common < base.count && common < parts.count - 1 && base[common] == parts[common] { common += 1 }
        let up = Array(repeating: "..", count: base.count - common)
        return (up + parts[common...].map(String.init)).joined(separator: "/")
    }
}
