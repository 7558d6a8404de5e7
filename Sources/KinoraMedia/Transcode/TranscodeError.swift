/// Why a transcode failed. `code` is stable (for job records and the worker's JSON);
/// `description` is a sentence for people.
public enum TranscodeError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The input could not be opened or is not usable media (the probe's reason).
    case unreadable(String)
    /// Neither a video nor an audio stream to transcode.
    case noStreams
    /// The encoder is not in this FFmpeg build, or cannot be opened.
    case encoderMissing(String)
    /// An encoder failed while encoding (rendition id, reason).
    case encodeFailed(String, String)
    /// Decoding failed part-way (the position and the reason).
    case decodeFailed(String)
    /// The filter graph (rotation, deinterlacing, frame rate, resampling) failed.
    case filterFailed(String)
    /// The MP4 muxer failed.
    case muxFailed(String)
    /// The disk is full.
    case noSpace(String)
    /// Writing an output file failed for another reason.
    case writeFailed(String)
    /// Invalid options (segment duration, empty ladder).
    case invalidOptions(String)
    /// The caller cancelled the transcode.
    case cancelled
    /// Remux-only was asked for but the source cannot be copied (why not).
    case notRemuxable(String)

    public var code: String {
        switch self {
        case .unreadable: "unreadable"
        case .noStreams: "no-streams"
        case .encoderMissing: "encoder-missing"
        case .encodeFailed: "encode-failed"
        case .decodeFailed: "decode-failed"
        case .filterFailed: "filter-failed"
        case .muxFailed: "mux-failed"
        case .noSpace: "no-space"
        case .writeFailed: "write-failed"
        case .invalidOptions: "invalid-options"
        case .cancelled: "cancelled"
        case .notRemuxable: "not-remuxable"
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let reason): "The input cannot be transcoded: \(reason)."
        case .noStreams: "The input has no audio or video stream to transcode."
        case .encoderMissing(let reason): "No usable encoder: \(reason)."
        case .encodeFailed(let rendition, let reason): "Encoding \(rendition) failed: \(reason)."
        case .decodeFailed(let reason): "Decoding the input failed \(reason)."
        case .filterFailed(let reason): "Preparing the pictures or sound failed: \(reason)."
        case .muxFailed(let reason): "Writing the CMAF segments failed: \(reason)."
        case .noSpace(let path): "No space left on the device while writing \(path)."
        case .writeFailed(let reason): "Writing the output failed: \(reason)."
        case .invalidOptions(let reason): "Invalid transcode options: \(reason)."
        case .cancelled: "The transcode was cancelled."
        case .notRemuxable(let reason): "The source cannot be remuxed without re-encoding: \(reason)."
        }
    }
}
