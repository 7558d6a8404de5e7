/// How a service refused a request, in the domain's words. The HTTP edge answers each with
/// the status whose number ``code`` is (`KinoraServer/HTTP/ProblemStatus.swift`, tied to it by a
/// test); the core keeps the number only as a record (an upload row remembers how its ingest
/// was answered, so a restart answers the same).
public enum Refusal: Sendable, Hashable {
    case badRequest
    case unauthenticated
    case forbidden
    case notFound
    case methodNotAllowed
    case conflict
    case gone
    case preconditionFailed
    case tooLarge
    case unsupportedMediaType
    case rangeNotSatisfiable
    case unprocessable
    case locked
    case tooManyRequests
    /// tus's checksum extension answers a mismatch with its own code (460).
    case checksumMismatch
    case internalError
    case badGateway
    case unavailable
    case insufficientStorage

    /// The status number the edge answers with.
    public var code: Int {
        switch self {
        case .badRequest: 400
        case .unauthenticated: 401
        case .forbidden: 403
        case .notFound: 404
        case .methodNotAllowed: 405
        case .conflict: 409
        case .gone: 410
        case .preconditionFailed: 412
        case .tooLarge: 413
        case .unsupportedMediaType: 415
        case .rangeNotSatisfiable: 416
        case .unprocessable: 422
        case .locked: 423
        case .tooManyRequests: 429
        case .checksumMismatch: 460
        case .internalError: 500
        case .badGateway: 502
        case .unavailable: 503
        case .insufficientStorage: 507
        }
    }

    /// The request (or the file it carried) was at fault, not the server: trying the same
    /// again cannot succeed.
    public var isClientFault: Bool { (400..<500).contains(code) }
}
