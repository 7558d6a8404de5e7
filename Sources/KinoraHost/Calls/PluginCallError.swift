import KinoraPluginABI

/// A status code from the plugin ABI, host side, so the daemon can choose its answer (a 404,
/// a full-disk refusal) from the kind of failure rather than from the plugin's message.
///
/// ```swift
/// do {
///     _ = try await storage.stat(key)
/// } catch let error as PluginCallError where error.status == .notFound {
///     // answer 404
/// }
/// ```
public struct PluginStatusCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let invalidArgument = Self(rawValue: KN_E_INVALID_ARGUMENT)
    public static let notFound = Self(rawValue: KN_E_NOT_FOUND)
    public static let alreadyExists = Self(rawValue: KN_E_ALREADY_EXISTS)
    public static let permission = Self(rawValue: KN_E_PERMISSION)
    public static let unavailable = Self(rawValue: KN_E_UNAVAILABLE)
    public static let timeout = Self(rawValue: KN_E_TIMEOUT)
    public static let cancelled = Self(rawValue: KN_E_CANCELLED)
    public static let unsupported = Self(rawValue: KN_E_UNSUPPORTED)
    public static let io = Self(rawValue: KN_E_IO)
    public static let config = Self(rawValue: KN_E_CONFIG)
    public static let `internal` = Self(rawValue: KN_E_INTERNAL)
    public static let noSpace = Self(rawValue: KN_E_NO_SPACE)

    public var description: String { String(cString: kn_status_string(rawValue)) }
}

/// A plugin operation failed; `message` is the plugin's own words. It names the instance so
/// a log line says which of several storage or packager instances failed.
///
/// ```swift
/// if let plugin = error as? PluginCallError, plugin.status == .noSpace {
///     logger.error("\(plugin.instance) is full: \(plugin.message)")
/// }
/// ```
public struct PluginCallError: Error, CustomStringConvertible, Sendable {
    public var status: PluginStatusCode
    public var message: String
    public var detail: Int32
    public var instance: String

    public init(status: PluginStatusCode, message: String, detail: Int32 = 0, instance: String) {
        self.status = status
        self.message = message
        self.detail = detail
        self.instance = instance
    }

    public var description: String { "plugin instance \(instance): \(status): \(message)" }

    /// A failure as the plugin reported it. `err` may be NULL (the header allows it): the
    /// message is then the status's own name. Positive codes are reserved and unknown negative
    /// ones are not in this ABI: both are `internal`, and the message says what was returned.
    init(_ status: kn_status_t, _ err: UnsafePointer<kn_error_t>?, instance: String) {
        self.status = Self.normalized(status)
        if let err {
            message = Self.message(from: err.pointee, status: status)
            detail = err.pointee.detail
        } else {
            message = Self.statusText(status)
            detail = 0
        }
        self.instance = instance
    }

    /// The status the host acts on: a code of this ABI, else `internal` (a positive code, `KN_OK`
    /// reported as a failure, or a negative code no header defines).
    public static func normalized(_ status: kn_status_t) -> PluginStatusCode {
        (KN_E_NO_SPACE...KN_E_INVALID_ARGUMENT).contains(status) ? PluginStatusCode(rawValue: status) : .internal
    }

    /// The message of a caller-owned error struct, never trusting it to be terminated.
    static func message(from err: kn_error_t, status: kn_status_t) -> String {
        var copy = err
        let text = withUnsafeBytes(of: &copy.message) { raw -> String in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        return text.isEmpty ? statusText(status) : text
    }

    /// The status's name; for a code outside the ABI, also which code it was, so the plugin's
    /// author can find the bug.
    static func statusText(_ status: kn_status_t) -> String {
        let name = String(cString: kn_status_string(status))
        guard !(KN_E_NO_SPACE...KN_E_INVALID_ARGUMENT).contains(status) else { return name }
        return status > 0
            ? "\(name) (the plugin returned status \(status); positive codes are reserved)"
            : "\(name) (the plugin returned unknown status \(status))"
    }
}
