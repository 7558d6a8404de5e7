import KinoraPluginABI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A status code of the plugin ABI (`KN_OK`, `KN_E_*`), as a Swift value. The host maps each
/// one to its own behaviour (a 404 for ``notFound``, a refused upload for ``noSpace``), so picking
/// the right one matters more than the message.
///
/// ```swift
/// guard exists else { throw PluginError(.notFound, "no object at \(key)") }
/// throw PluginError(.unavailable, "the bucket answered 503", detail: 503)
/// ```
public struct PluginStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let ok = PluginStatus(rawValue: KN_OK)
    public static let invalidArgument = PluginStatus(rawValue: KN_E_INVALID_ARGUMENT)
    public static let notFound = PluginStatus(rawValue: KN_E_NOT_FOUND)
    public static let alreadyExists = PluginStatus(rawValue: KN_E_ALREADY_EXISTS)
    public static let permission = PluginStatus(rawValue: KN_E_PERMISSION)
    public static let unavailable = PluginStatus(rawValue: KN_E_UNAVAILABLE)
    public static let timeout = PluginStatus(rawValue: KN_E_TIMEOUT)
    public static let cancelled = PluginStatus(rawValue: KN_E_CANCELLED)
    public static let unsupported = PluginStatus(rawValue: KN_E_UNSUPPORTED)
    public static let io = PluginStatus(rawValue: KN_E_IO)
    public static let noMemory = PluginStatus(rawValue: KN_E_NO_MEMORY)
    public static let config = PluginStatus(rawValue: KN_E_CONFIG)
    public static let `internal` = PluginStatus(rawValue: KN_E_INTERNAL)
    public static let noSpace = PluginStatus(rawValue: KN_E_NO_SPACE)

    public var description: String { String(cString: kn_status_string(rawValue)) }
}

/// The error a plugin throws. The kit turns it into a status code plus message for the host;
/// any other error a plugin throws becomes ``PluginStatus/internal`` with its description.
///
/// ```swift
/// throw PluginError(.notFound, "no object at \(key)")
/// ```
public struct PluginError: Error, Sendable, CustomStringConvertible {
    public var status: PluginStatus
    public var message: String
    /// Optional errno, HTTP status or vendor code.
    public var detail: Int32

    /// - Parameters:
    ///   - status: What the host acts on; pick the closest one.
    ///   - message: For the operator's log; name the key or file, never a secret.
    ///   - detail: An errno, HTTP status or vendor code, 0 when there is none.
    public init(_ status: PluginStatus, _ message: String, detail: Int32 = 0) {
        self.status = status
        self.message = message
        self.detail = detail
    }

    public var description: String { "\(status): \(message)" }

    /// Maps an `errno` value from a failed system call to the closest status.
    ///
    /// ```swift
    /// guard fd >= 0 else { throw PluginError.errno(errno, "opening \(key)") }
    /// ```
    ///
    /// - Parameters:
    ///   - code: The `errno` value, read right after the failed call.
    ///   - context: What was being done, put before the system's text in the message.
    /// - Returns: An error whose `detail` keeps `code`.
    public static func errno(_ code: Int32, _ context: String) -> PluginError {
        let status: PluginStatus
        switch code {
        case ENOENT, ENOTDIR: status = .notFound
        case EACCES, EPERM, EROFS: status = .permission
        case ENOSPC, EDQUOT: status = .noSpace
        case EEXIST: status = .alreadyExists
        case EINVAL, ENAMETOOLONG: status = .invalidArgument
        case ENOMEM: status = .noMemory
        case EINTR, EAGAIN: status = .unavailable
        default: status = .io
        }
        return PluginError(status, "\(context): \(String(cString: strerror(code)))", detail: code)
    }
}

extension kn_error_t {
    /// Fills a caller-owned error struct, truncating the message on a UTF-8 boundary.
    static func fill(_ err: UnsafeMutablePointer<kn_error_t>?, _ error: PluginError) {
        guard let err else { return }
        err.pointee.code = error.status.rawValue
        err.pointee.detail = error.detail
        withUnsafeMutableBytes(of: &err.pointee.message) { raw in
            let utf8 = Array(error.message.utf8)
            var bytes = Array(utf8.prefix(raw.count - 1))
            if bytes.count < utf8.count {
                // Truncated: drop the last (possibly partial) character rather than cut it.
                while let last = bytes.last, last & 0xC0 == 0x80 { bytes.removeLast() }
                if let last = bytes.last, last & 0x80 != 0 { bytes.removeLast() }
            }
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
    }
}

extension PluginError {
    /// Wraps whatever a plugin threw.
    init(wrapping error: any Error) {
        if let e = error as? PluginError { self = e } else { self = PluginError(.internal, String(describing: error)) }
    }
}
