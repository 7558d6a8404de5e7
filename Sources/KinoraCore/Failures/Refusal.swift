/// How a service refused a request, in the domain's words. The HTTP edge turns each into one
/// status code (`KinoraServer/HTTP/ProblemStatus.swift`); nothing in the core knows the numbers.
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
}
