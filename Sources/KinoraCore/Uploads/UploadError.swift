/// Why an upload (tus or multipart) was refused or could not be kept.
public enum UploadError: DomainError, Equatable {
    /// The file is larger than `[uploads] max_bytes`.
    case tooLarge(limit: Int64)
    /// A declared length of zero (tus) or no file part at all (multipart).
    case empty(title: String, detail: String)
    case badMetadata(String)
    case notFound(id: String)
    /// Not completed within `[uploads] tus_expiry_hours`; awaiting the sweep.
    case expired(hours: Double)
    /// Another request is writing or ingesting the upload.
    case busy
    case offsetMismatch(expected: Int64)
    case beyondLength(length: Int64, offset: Int64)
    case checksumMismatch(algorithm: String, bytes: Int64)
    case incompleteBody(String)
    /// The partial file could not be opened or written (not for want of space).
    case storageFailed(String)
    case diskFull(title: String, detail: String)
    /// The complete file was refused earlier (after a restart) and never became a video.
    case refused(reason: String?, status: Int?)

    public var problemType: ProblemType {
        switch self {
        case .tooLarge: .payloadTooLarge
        case .empty: .emptyUpload
        case .badMetadata: .badMetadata
        case .notFound: .notFound
        case .expired: .uploadExpired
        case .busy: .uploadBusy
        case .offsetMismatch: .offsetMismatch
        case .beyondLength: .beyondUploadLength
        case .checksumMismatch: .checksumMismatch
        case .incompleteBody: .incompleteBody
        case .storageFailed: .uploadStorage
        case .diskFull: .insufficientStorage
        case .refused: .uploadRefused
        }
    }

    public var title: String {
        switch self {
        case .tooLarge: "Upload too large"
        case .empty(let title, _), .diskFull(let title, _): title
        default: problemType.title
        }
    }

    public var detail: String? {
        switch self {
        case .tooLarge(let limit): "uploads are limited to \(limit) bytes ([uploads] max_bytes)"
        case .empty(_, let detail), .diskFull(_, let detail): detail
        case .badMetadata(let detail), .incompleteBody(let detail), .storageFailed(let detail): detail
        case .notFound(let id): "no upload \(id.prefix(64))"
        case .expired(let hours): "uploads not completed within \(hours) hours are deleted ([uploads] tus_expiry_hours)"
        case .busy: "another request is writing or ingesting this upload; try again shortly"
        case .offsetMismatch(let expected): "the upload holds \(expected) bytes; send Upload-Offset: \(expected)"
        case .beyondLength(let length, let offset): "the upload is \(length) bytes and holds \(offset); this body goes past its end"
        case .checksumMismatch(let algorithm, let bytes):
            "the \(algorithm) of the \(bytes) bytes received differs from Upload-Checksum; nothing was kept"
        case .refused(let reason, _): reason ?? "the file was refused"
        }
    }

    public var extra: [String: String] {
        switch self {
        case .offsetMismatch(let expected): ["offset": String(expected)]
        case .refused(_, let status): ["status": String(status ?? 422)]
        default: [:]
        }
    }

    public var retryAfter: Int? { self == .busy ? 2 : nil }
}
