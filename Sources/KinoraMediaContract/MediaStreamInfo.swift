/// One stream of a probed file, as libavformat/libavcodec describe it.
public struct MediaStreamInfo: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case video, audio, subtitle, data, attachment, unknown
    }

    /// How the fields of an interlaced picture are ordered (AVFieldOrder).
    public enum FieldOrder: String, Sendable, Codable {
        /// The container and the codec did not say.
        case unknown
        case progressive
        /// Top field coded first, top field displayed first.
        case topFirst
        /// Bottom field coded first, bottom field displayed first.
        case bottomFirst
        /// Top field coded first, bottom field displayed first.
        case topCodedBottomFirst
        /// Bottom field coded first, top field displayed first.
        case bottomCodedTopFirst
    }

    /// The stream's index in the container.
    public var index: Int
    public var kind: Kind
    /// FFmpeg's codec name ("h264", "aac", "png").
    public var codecName: String
    public var codecLongName: String?
    /// FFmpeg's profile number (FF_PROFILE_*), nil when unknown.
    public var profile: Int?
    /// The profile's name ("High", "Constrained Baseline", "LC").
    public var profileName: String?
    /// The codec level (H.264: level_idc, 30 for 3.0), nil when unknown.
    public var level: Int?
    /// The RFC 6381 codec string ("avc1.64001e", "mp4a.40.2"), for codecs Kinora knows how to name.
    public var codecString: String?
    /// Whether this FFmpeg build has a decoder for the codec.
    public var hasDecoder: Bool
    /// The container's "default" disposition.
    public var isDefault: Bool
    /// Cover art (an audio file's picture), not a video.
    public var isAttachedPicture: Bool
    /// The language tag, when the container has one ("eng").
    public var language: String?
    /// Bits per second, when known.
    public var bitRate: Int?
    /// Seconds, when known.
    public var duration: Double?
    /// The frame count the container declares, when it does.
    public var frameCount: Int?

    // Video
    public var width: Int?
    public var height: Int?
    /// FFmpeg's pixel format name ("yuv420p").
    public var pixelFormat: String?
    public var sampleAspectRatio: MediaRational?
    /// avg_frame_rate: frames over duration.
    public var averageFrameRate: MediaRational?
    /// r_frame_rate: the lowest rate that represents every timestamp.
    public var realFrameRate: MediaRational?
    public var fieldOrder: FieldOrder?
    /// Degrees (0, 90, 180, 270; other angles rounded to a degree) to rotate the decoded picture
    /// clockwise for display, from the stream's display matrix. 0 without a matrix.
    public var rotation: Int

    // Audio
    public var sampleRate: Int?
    public var channels: Int?
    /// FFmpeg's channel layout description ("stereo", "5.1(side)").
    public var channelLayout: String?
    /// FFmpeg's sample format name ("fltp").
    public var sampleFormat: String?

    public init(index: Int, kind: Kind, codecName: String) {
        self.index = index
        self.kind = kind
        self.codecName = codecName
        self.hasDecoder = false
        self.isDefault = false
        self.isAttachedPicture = false
        self.rotation = 0
    }

    /// The frame rate: the average when known, else r_frame_rate.
    public var frameRate: Double? {
        averageFrameRate?.value ?? realFrameRate?.value
    }

    /// Whether the pictures are interlaced (any field order other than progressive/unknown).
    public var isInterlaced: Bool {
        switch fieldOrder {
        case .topFirst, .bottomFirst, .topCodedBottomFirst, .bottomCodedTopFirst: true
        case .progressive, .unknown, nil: false
        }
    }

    /// Whether the rotation turns the picture on its side (90 or 270 degrees).
    public var isRotatedSideways: Bool {
        let quarter = ((rotation % 360) + 360) % 360
        return quarter == 90 || quarter == 270
    }

    /// The width as displayed, after rotation.
    public var displayWidth: Int? { isRotatedSideways ? height : width }
    /// The height as displayed, after rotation.
    public var displayHeight: Int? { isRotatedSideways ? width : height }

    /// A video stream that is a real video (not cover art).
    public var isVideo: Bool { kind == .video && !isAttachedPicture }
}
