/// What `MediaProbe.probe` found in a file it accepted.
public struct MediaInfo: Sendable, Codable, Equatable {
    /// libavformat's demuxer name ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "mp3").
    public var container: String
    /// The demuxer's long name ("QuickTime / MOV").
    public var containerLongName: String?
    /// Seconds, when the container or the streams say.
    public var duration: Double?
    /// Bits per second over the whole file, when known.
    public var bitRate: Int?
    /// The file's size in bytes.
    public var fileSize: Int64
    public var streams: [MediaStreamInfo]
    /// The index (`MediaStreamInfo.index`) of the video stream Kinora transcodes, if any.
    public var bestVideoIndex: Int?
    /// The index of the audio stream Kinora transcodes, if any.
    public var bestAudioIndex: Int?
    /// The best video stream decoded at least one frame.
    public var hasDecodableVideo: Bool
    /// The best audio stream decoded at least one frame.
    public var hasDecodableAudio: Bool

    public init(
        container: String,
        containerLongName: String?,
        duration: Double?,
        bitRate: Int?,
        fileSize: Int64,
        streams: [MediaStreamInfo],
        bestVideoIndex: Int?,
        bestAudioIndex: Int?,
        hasDecodableVideo: Bool,
        hasDecodableAudio: Bool
    ) {
        self.container = container
        self.containerLongName = containerLongName
        self.duration = duration
        self.bitRate = bitRate
        self.fileSize = fileSize
        self.streams = streams
        self.bestVideoIndex = bestVideoIndex
        self.bestAudioIndex = bestAudioIndex
        self.hasDecodableVideo = hasDecodableVideo
        self.hasDecodableAudio = hasDecodableAudio
    }

    public var bestVideo: MediaStreamInfo? {
        bestVideoIndex.flatMap { index in streams.first { $0.index == index } }
    }

    public var bestAudio: MediaStreamInfo? {
        bestAudioIndex.flatMap { index in streams.first { $0.index == index } }
    }

    /// The best video's width as displayed (after rotation).
    public var displayWidth: Int? { bestVideo?.displayWidth }
    /// The best video's height as displayed (after rotation).
    public var displayHeight: Int? { bestVideo?.displayHeight }

    /// Audio and no video (cover art does not count as video).
    public var isAudioOnly: Bool { bestVideo == nil && bestAudio != nil }

    /// The RFC 6381 codec string of the best video stream ("avc1.64001f").
    public var videoCodecString: String? { bestVideo?.codecString }
    /// The RFC 6381 codec string of the best audio stream ("mp4a.40.2").
    public var audioCodecString: String? { bestAudio?.codecString }

    /// The codec strings of the best video and audio streams, for an HLS CODECS attribute.
    public var codecStrings: [String] {
        [videoCodecString, audioCodecString].compactMap { $0 }
    }
}
