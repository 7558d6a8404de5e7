/// The `kinora.packager/1` presentation as the daemon sends it to every packager and records
/// it with the video: the renditions the worker made, the video's caption tracks and its
/// protection (none yet). Packagers decode it with the kit's tolerant `PackagerPresentation`;
/// the sample in `kinora/plugin.h` shows this encoding.
public struct Presentation: Codable, Sendable, Equatable {
    public var videoID: String
    public var renditions: [Rendition]
    public var textTracks: [TextTrack]
    public var protection: [Protection]
    /// False while the first pass is still adding segments: the manifests are written so that
    /// players start at the beginning and keep reloading (HLS `EVENT`), and only packagers
    /// that implement `kinora.packager.growing/1` are asked. Encoded only when false ("complete":
    /// false), so a finished presentation reads as it always has.
    public var complete: Bool

    public init(
        videoID: String, renditions: [Rendition], textTracks: [TextTrack] = [], protection: [Protection] = [], complete: Bool = true
    ) {
        self.videoID = videoID
        self.renditions = renditions
        self.textTracks = textTracks
        self.protection = protection
        self.complete = complete
    }

    enum CodingKeys: String, CodingKey {
        case renditions, protection, complete
        case videoID = "video_id"
        case textTracks = "text_tracks"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(videoID, forKey: .videoID)
        try container.encode(renditions, forKey: .renditions)
        try container.encode(textTracks, forKey: .textTracks)
        try container.encode(protection, forKey: .protection)
        if !complete { try container.encode(false, forKey: .complete) }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        videoID = try container.decode(String.self, forKey: .videoID)
        renditions = try container.decode([Rendition].self, forKey: .renditions)
        textTracks = try container.decodeIfPresent([TextTrack].self, forKey: .textTracks) ?? []
        protection = try container.decodeIfPresent([Protection].self, forKey: .protection) ?? []
        complete = try container.decodeIfPresent(Bool.self, forKey: .complete) ?? true
    }

    /// The longest rendition's end in seconds (at least a millisecond), for a video whose probe
    /// found no duration: a caption track needs one.
    public static func duration(of renditions: [Rendition]) -> Double {
        let ends = renditions.filter { $0.timescale > 0 && !$0.segments.isEmpty }.map(\.end)
        return max(ends.max() ?? 1, 0.001)
    }

    /// A caption track: a WebVTT file in the video's folder.
    public struct TextTrack: Codable, Sendable, Equatable {
        public var id: String
        public var language: String
        public var label: String
        public var isDefault: Bool
        /// Relative to the video's folder (``VideoObjects/captionPath(_:)``).
        public var uri: String
        /// Seconds: the video's.
        public var duration: Double
        /// Bytes.
        public var size: Int64
        /// The cues cut on the media's segment boundaries as WebVTT files with an
        /// X-TIMESTAMP-MAP (HLS); nil until cut (``KinoraCore/CaptionCuts``).
        public var vttSegments: TextSegments? = nil
        /// The same cut as fMP4 `wvtt` (ISO/IEC 14496-30) segments (DASH).
        public var mp4: TextSegments? = nil

        /// The track of a caption in `language`, with the id and file its layout gives it.
        public init(language: String, label: String, isDefault: Bool, duration: Double, size: Int64) {
            id = VideoObjects.textTrackID(language)
            self.language = language
            self.label = label
            self.isDefault = isDefault
            uri = VideoObjects.captionPath(language)
            self.duration = duration
            self.size = size
        }

        enum CodingKeys: String, CodingKey {
            case id, language, label, uri, duration, size, mp4
            case isDefault = "default"
            case vttSegments = "vtt_segments"
        }
    }

    /// A caption track cut into segments on the presentation's timeline: WebVTT files (no
    /// init, no codecs) or fMP4 (`init`, `codecs` "wvtt").
    public struct TextSegments: Codable, Sendable, Equatable {
        public var codecs: String?
        public var timescale: Int64
        public var `init`: String?
        public var segments: [Rendition.Segment]

        public init(codecs: String? = nil, timescale: Int64, init initURI: String? = nil, segments: [Rendition.Segment]) {
            self.codecs = codecs
            self.timescale = timescale
            self.`init` = initURI
            self.segments = segments
        }
    }

    /// How a presentation is encrypted, for the packagers to signal.
    public struct Protection: Codable, Sendable, Equatable {
        public var scheme: String
        public var kid: String?
        public var systemID: String?
        public var pssh: String?
        public var licenseURL: String?
        public var hlsKeyURI: String?
        public var hlsKeyFormat: String?

        public init(
            scheme: String, kid: String? = nil, systemID: String? = nil, pssh: String? = nil,
            licenseURL: String? = nil, hlsKeyURI: String? = nil, hlsKeyFormat: String? = nil
        ) {
            self.scheme = scheme
            self.kid = kid
            self.systemID = systemID
            self.pssh = pssh
            self.licenseURL = licenseURL
            self.hlsKeyURI = hlsKeyURI
            self.hlsKeyFormat = hlsKeyFormat
        }

        enum CodingKeys: String, CodingKey {
            case scheme, kid, pssh
            case systemID = "system_id"
            case licenseURL = "license_url"
            case hlsKeyURI = "hls_key_uri"
            case hlsKeyFormat = "hls_keyformat"
        }
    }
}
