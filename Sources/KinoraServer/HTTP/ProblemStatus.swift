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
