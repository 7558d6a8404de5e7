/// A validated path under `/streams/{video}/`: only manifests, init and media segments,
/// captions and thumbnails are servable; never the original upload, never anything with `..`.
struct StreamPath: Sendable {
    let relative: String
    let mediaType: String
    let isImmutable: Bool
    /// An init or media segment (what redirect playback sends to the storage backend).
    let isSegment: Bool
    /// A playlist or MPD: served gzipped to clients that accept it.
    var isManifest: Bool { mediaType == "application/vnd.apple.mpegurl" || mediaType == "application/dash+xml" }

    static let types: [String: (mediaType: String, immutable: Bool)] = [
        "m3u8": ("application/vnd.apple.mpegurl", false),
        "mpd": ("application/dash+xml", false),
        "mp4": ("video/mp4", true),
        "m4s": ("video/iso.segment", true),
        "vtt": ("text/vtt; charset=utf-8", false),
        "jpg": ("image/jpeg", true),
    ]

    /// ASCII letters, digits, `-`, `_` and `.`.
    static func allowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            true
        default: false
        }
    }

    init?(_ components: [Substring]) {
        guard (1...3).contains(components.count) else { return nil }
        for component in components {
            // Bytes, not Characters: this runs on every stream request.
            let bytes = component.utf8
            guard !bytes.isEmpty, bytes.count <= 128, bytes.first != UInt8(ascii: "."), bytes.allSatisfy(Self.allowed) else {
                return nil
            }
        }
        guard let last = components.last, let dot = last.lastIndex(of: "."),
            let type = Self.types[String(last[last.index(after: dot)...]).lowercased()]
        else { return nil }
        relative = components.joined(separator: "/")
        let segment = type.mediaType == "video/mp4" || type.mediaType == "video/iso.segment"
        isSegment = segment
        // The folder says what a segment holds (``VideoObjects``, the contract's ids).
        let folder = components.count > 1 ? components[0] : ""
        let isText = folder.hasPrefix("text-")
        if segment && (folder == "audio" || folder.hasPrefix("audio-")) {
            mediaType = "audio/mp4"  // RFC 4337: audio-only MP4, init and fragments alike
        } else if segment && isText {
            mediaType = "application/mp4"  // RFC 4337: timed text (wvtt) in MP4
        } else {
            mediaType = type.mediaType
        }
        // A caption track's segments are cut again under the same names when its file is
        // replaced, so they must not be cached for a year.
        isImmutable = type.immutable && !isText
    }
}

/// One `Range: bytes=…` request against an object of `size` bytes.
enum ByteRange: Equatable {
    case whole
    case partial(ClosedRange<Int64>)
    case unsatisfiable

    /// Parses a single range; several ranges (rarely used by players) are answered whole.
    init(header: String?, size: Int64) {
        guard let header, header.hasPrefix("bytes="), !header.contains(",") else {
            self = .whole
            return
        }
        let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            self = .whole
            return
        }
        if parts[0].isEmpty {
            guard let suffix = Int64(parts[1]), suffix > 0 else {
                self = .unsatisfiable
                return
            }
            self = size == 0 ? .unsatisfiable : .partial(max(0, size - suffix)...(size - 1))
            return
        }
        guard let start = Int64(parts[0]), start >= 0 else {
            self = .whole
            return
        }
        guard start < size else {
            self = .unsatisfiable
            return
        }
        let end = parts[1].isEmpty ? size - 1 : min(Int64(parts[1]) ?? -1, size - 1)
        self = end < start ? .unsatisfiable : .partial(start...end)
    }
}
