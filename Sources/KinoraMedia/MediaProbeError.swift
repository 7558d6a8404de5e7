/// Why a file was refused. `code` is stable (a problem+json `type` suffix); `description` is
/// a sentence for the uploader.
public enum MediaProbeError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file has no bytes.
    case empty
    /// Not audio or video at all; the reason names what FFmpeg found (or did not).
    case notMedia(String)
    /// A single picture (PNG, JPEG, a one-frame GIF, …): the associated value names the
    /// detected format or codec.
    case stillImage(String)
    /// Audio or video streams exist but no decoder in this FFmpeg build handles any of them.
    case noDecodableStream
    /// The container was recognised but its header, index or first frames are broken.
    case truncated(String)
    /// Longer than the limit (seconds).
    case tooLong(duration: Double, max: Double)
    /// A video stream larger than the limit (pixels).
    case tooLarge(width: Int, height: Int, maxWidth: Int, maxHeight: Int)
    /// More streams than the limit.
    case tooManyStreams(count: Int, max: Int)
    /// The file could not be opened or read (missing, permissions, a directory, I/O error).
    case unreadable(String)

    /// A stable identifier for the case, for problem+json `type` URIs and metrics labels.
    public var code: String {
        switch self {
        case .empty: "empty"
        case .notMedia: "not-media"
        case .stillImage: "still-image"
        case .noDecodableStream: "no-decodable-stream"
        case .truncated: "truncated"
        case .tooLong: "too-long"
        case .tooLarge: "too-large"
        case .tooManyStreams: "too-many-streams"
        case .unreadable: "unreadable"
        }
    }

    public var description: String {
        switch self {
        case .empty:
            "the file is empty"
        case .notMedia(let reason):
            "not an audio or video file: \(reason)"
        case .stillImage(let format):
            "a still image (\(format)), not a video"
        case .noDecodableStream:
            "no audio or video stream that can be decoded"
        case .truncated(let detail):
            "the file is truncated or damaged: \(detail)"
        case .tooLong(let duration, let max):
            "the media lasts \(Self.clock(duration)), longer than the \(Self.clock(max)) allowed"
        case .tooLarge(let width, let height, let maxWidth, let maxHeight):
            "the video is \(width)x\(height), larger than the \(maxWidth)x\(maxHeight) allowed"
        case .tooManyStreams(let count, let max):
            "the file has \(count) streams, more than the \(max) allowed"
        case .unreadable(let reason):
            "the file cannot be read: \(reason)"
        }
    }

    /// A duration for a sentence: "2 s", "0.4 s" under a minute, else "1:02:05".
    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "\(seconds) s" }
        if seconds < 59.95 {
            let tenths = Int((seconds * 10).rounded())
            return tenths % 10 == 0 ? "\(tenths / 10) s" : "\(tenths / 10).\(tenths % 10) s"
        }
        let total = Int(seconds.rounded())
        let hours = total / 3600
        let minutes = (total % 3600) / 60
        let secs = total % 60
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(hours):\(two(minutes)):\(two(secs))"
    }
}
