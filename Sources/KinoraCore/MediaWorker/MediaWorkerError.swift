import KinoraMediaContract

/// Why the media worker did not deliver: it is missing, it died, it printed nothing usable, or
/// it refused the file (the probe's stable codes, `not-media`, `truncated`, …, which are
/// problem types of their own; an avatar's refusal is `bad-image`).
public enum MediaWorkerError: DomainError, CustomStringConvertible {
    /// `kinora-media` is not installed beside `kinora`, or not executable.
    case missing(executable: String)
    /// The worker crashed, was killed at its time limit, or exited non-zero: the file is to blame.
    case crashed(how: String, timeLimitSeconds: Int64)
    /// The worker ended without a reply the daemon could read.
    case noResult
    /// The probe refused the file with one of its codes.
    case refused(WorkerRefusal)
    /// The avatar command could not read a picture in the file.
    case badImage(String?)

    public var problemType: ProblemType {
        switch self {
        case .missing: .mediaWorkerMissing
        case .crashed, .noResult: .mediaWorkerFailed
        case .refused(let refusal): ProblemType(rawValue: refusal.code) ?? .notMedia
        case .badImage: .badImage
        }
    }

    /// A crash on a file is the file's fault (422); a worker that answers nonsense is ours (500).
    public var refusal: Refusal {
        if case .crashed = self { return .unprocessable }
        return problemType.refusal
    }

    public var title: String {
        switch self {
        case .crashed: "The file could not be analysed"
        case .refused: "Not a usable video"
        default: problemType.title
        }
    }

    public var detail: String? {
        switch self {
        case .missing(let executable): "\(executable) is not installed or not executable"
        case .crashed(let how, let seconds): "the media worker \(how) on this file (time limit \(seconds) s)"
        case .noResult: "kinora-media printed no result"
        case .refused(let refusal): refusal.message
        case .badImage(let detail): detail
        }
    }

    public var description: String { detail ?? title }
}
