/// One rendition's index, in the exact shape of a `kinora.packager/1` presentation's
/// `renditions[]` entry (its coding keys are the JSON keys).
public struct Rendition: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case video, audio
    }

    /// The byte range of the first (key) frame within a segment: moof, mdat header and the
    /// first sample.
    public struct ByteRange: Sendable, Equatable, Codable {
        public var offset: Int64
        public var size: Int64

        public init(offset: Int64, size: Int64) {
            self.offset = offset
            self.size = size
        }
    }

    public struct Segment: Sendable, Equatable, Codable {
        /// "720p/seg-00001.m4s", relative to the presentation.
        public var uri: String
        /// In `timescale` units: when the fragment's first picture or sample is shown, on the
        /// timeline after the init segment's edit list, if any (the one both tracks share,
        /// from 0: audio is written without its AAC priming, so it starts at 0 too).
        public var start: Int64
        /// In `timescale` units: how long the fragment is shown (the next one starts where it
        /// ends).
        public var duration: Int64
        /// Bytes.
        public var size: Int64
        public var iframe: ByteRange?

        public init(uri: String, start: Int64, duration: Int64, size: Int64, iframe: ByteRange? = nil) {
            self.uri = uri
            self.start = start
            self.duration = duration
            self.size = size
            self.iframe = iframe
        }
    }

    /// "240p" … "2160p"; "audio" (a source's single audio stream, stereo), "audio-<language>"
    /// and "audio-<language>-6ch" / "-8ch" (several streams, 5.1 / 7.1), "-2", "-3" added on a clash.
    public var id: String
    public var type: Kind
    /// RFC 6381 ("avc1.64001f", "mp4a.40.2").
    public var codecs: String
    /// Peak bit rate (bits per second) by Apple's rule: the largest of any run of consecutive
    /// segments lasting 0.5 to 1.5 target durations.
    public var bandwidth: Int64
    /// Average bit rate over all segments.
    public var averageBandwidth: Int64
    public var width: Int?
    public var height: Int?
    public var frameRate: Double?
    public var channels: Int?
    public var sampleRate: Int?
    /// The track timescale written in the init segment.
    public var timescale: Int64
    /// "720p/init.mp4".
    public var `init`: String
    public var segments: [Segment]
    /// True when the video was copied from the source rather than encoded; absent otherwise.
    /// Informational only: the segments follow the same rules either way.
    public var passthrough: Bool? = nil
    /// Audio only, each absent when nil (a presentation without them reads as before):
    /// the BCP 47 language ("en", "fr", "und"), what a menu shows ("English", "Français",
    /// "English (5.1)"), true on the one rendition per `group` a player picks first, and the
    /// group, one per codec and channel layout ("aac-2ch", "aac-6ch", "aac-8ch"; absent means
    /// "aac-2ch").
    public var language: String? = nil
    public var name: String? = nil
    public var isDefault: Bool? = nil
    public var group: String? = nil
    /// Audio only: which kept source stream (0-based, in file order) the rendition was made
    /// from. A stream's stereo, 5.1 and 7.1 renditions share it, so a label its owner gives the
    /// track reaches all three. Absent in presentations made before it (each rendition is then
    /// its own track). Packagers may ignore it.
    public var sourceTrack: Int? = nil

    public init(
        id: String, type: Kind, codecs: String, bandwidth: Int64, averageBandwidth: Int64,
        width: Int? = nil, height: Int? = nil, frameRate: Double? = nil, channels: Int? = nil, sampleRate: Int? = nil,
        timescale: Int64, init initURI: String, segments: [Segment], passthrough: Bool? = nil
    ) {
        self.id = id
        self.type = type
        self.codecs = codecs
        self.bandwidth = bandwidth
        self.averageBandwidth = averageBandwidth
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.channels = channels
        self.sampleRate = sampleRate
        self.timescale = timescale
        self.`init` = initURI
        self.segments = segments
        self.passthrough = passthrough
    }

    /// Every object of the rendition, relative to the video's folder: init segment first.
    public var files: [String] { [`init`] + segments.map(\.uri) }

    /// Where the last segment ends, in seconds (0 without segments or timescale).
    public var end: Double {
        guard timescale > 0, let last = segments.last else { return 0 }
        return Double(last.start + last.duration) / Double(timescale)
    }

    /// Seconds covered by the segments.
    public var duration: Double {
        timescale > 0 ? Double(segments.reduce(0) { $0 + $1.duration }) / Double(timescale) : 0
    }

    enum CodingKeys: String, CodingKey {
        case id, type, codecs, bandwidth, width, height, channels, timescale, segments, passthrough, language, name, group
        case isDefault = "default"
        case sourceTrack = "source_track"
        case averageBandwidth = "average_bandwidth"
        case frameRate = "frame_rate"
        case sampleRate = "sample_rate"
        case `init` = "init"
    }
}
