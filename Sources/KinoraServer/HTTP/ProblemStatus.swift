import Hummingbird
import KinoraCore

/// The one place a domain refusal becomes an HTTP status.
extension Refusal {
    public var status: HTTPResponse.Status {
        switch self {
        case .badRequest: .badRequest
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .conflict: .conflict
        case .gone: .gone
        case .preconditionFailed: .preconditionFailed
        case .tooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .rangeNotSatisfiable: .rangeNotSatisfiable
        case .unprocessable: .unprocessableContent
        case .locked: HTTPResponse.Status(code: 423, reasonPhrase: "Locked")
        case .tooManyRequests: .tooManyRequests
        case .checksumMismatch: HTTPResponse.Status(code: 460, reasonPhrase: "Checksum Mismatch")
        case .internalError: .internalServerError
        case .badGateway: .badGateway
        case .unavailable: .serviceUnavailable
        case .insufficientStorage: HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
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
