import Hummingbird
import KinoraCore

/// The one place a domain refusal becomes an HTTP status.
extension Refusal {
    /// The code is the core's (``Refusal/code``); the reason phrase is the standard one, or
    /// the extension's for the codes outside RFC 9110 (423 WebDAV, 460 tus, 507 WebDAV).
    public var status: HTTPResponse.Status {
        switch self {
        case .locked: HTTPResponse.Status(code: code, reasonPhrase: "Locked")
        case .checksumMismatch: HTTPResponse.Status(code: code, reasonPhrase: "Checksum Mismatch")
        case .insufficientStorage: HTTPResponse.Status(code: code, reasonPhrase: "Insufficient Storage")
        default: HTTPResponse.Status(code: code)
        }
    }
}

extension Problem {
    /// A problem of the list, answered with its usual status unless `refusal` says otherwise.
    init(_ type: ProblemType, detail: String? = nil, extra: [String: String] = [:], refusal: Refusal? = nil, title: String? = nil) {
        self.init((refusal ?? type.refusal).status, type: type.rawValue, title: title ?? type.title, detail: detail, extra: extra)
    }

    /// How every service error reaches the client.
    init(_ error: some DomainError) {
        self.init(error.refusal.status, type: error.problemType.rawValue, title: error.title, detail: error.detail, extra: error.extra)
        if let seconds = error.retryAfter { headers[.retryAfter] = String(seconds) }
    }
}
