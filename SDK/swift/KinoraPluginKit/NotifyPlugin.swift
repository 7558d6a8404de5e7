import KinoraPluginABI

/// `kinora.notify/1`: a delivery channel (mail, Web Push, SMS, a webhook). The host decides
/// who hears of what, renders the message and keeps it in its outbox; the plugin carries one
/// rendered message to its provider and says what became of it.
///
/// `send` runs on a host worker thread and may block on the network; calls run concurrently
/// unless the descriptor sets `serializeCalls`. Delivery is at least once: a message may be
/// sent again after a crash, with the same ``NotifyMessage/idempotencyKey``, which the plugin
/// passes on to its provider (mail: ``NotifyMessage/messageID(domain:)``; HTTP APIs: an
/// Idempotency-Key header) and never replaces by a fresh one per attempt.
///
/// What the kit does around `send`: it reads the message (``NotifyMessage``, refusing
/// malformed ones and header injections as ``PluginStatus/invalidArgument``), checks `to`
/// against ``addressKind``, answers ``PluginStatus/timeout`` without calling `send` when the
/// deadline has already passed, and turns an error thrown with a status other than
/// invalid argument, cancelled, timeout or no memory into a ``NotifyOutcome/retryable(reason:retryAfter:)``
/// outcome with the error's message, as the interface prefers. Never log the message's text,
/// html or address: a password-reset link is a secret.
///
/// ```swift
/// import KinoraPluginKit
///
/// public final class FileChannel: NotifyPlugin {
///     public struct Settings: Decodable, Sendable { public var path: String }
///     public static let descriptor = PluginDescriptor(
///         id: "org.example.notify-file", name: "Messages to a file",
///         configSchema: #"{"type":"object","required":["path"],"properties":{"path":{"type":"string"}}}"#,
///         serializeCalls: true)
///     let path: String
///     public init(settings: Settings, host: PluginHost) throws { path = settings.path }
///
///     public var addressKind: NotifyAddressKind { .none }
///
///     public func send(message: NotifyMessage, call: PluginCall) throws -> NotifyOutcome {
///         guard let file = fopen(path, "a") else { return .retryable(reason: "cannot open \(path)", retryAfter: 60) }
///         defer { fclose(file) }
///         fputs(message.raw.jsonString + "\n", file)
///         return .delivered(providerID: message.idempotencyKey)
///     }
/// }
///
/// @_cdecl("kinora_module_entry_v1")
/// public func kinoraModuleEntry() -> UnsafeRawPointer { PluginModule.entry(FileChannel.self) }
/// ```
public protocol NotifyPlugin: KinoraPlugin {
    /// The kind of address this channel delivers to. The host asks once after ``start()``;
    /// it may depend on the settings but must not change afterwards.
    var addressKind: NotifyAddressKind { get }

    /// Delivers one message.
    ///
    /// - Parameters:
    ///   - message: The rendered message, already checked by the kit.
    ///   - call: Its request id is the message's idempotency key; its deadline, 60 seconds
    ///     after the attempt began. Check it between network round trips.
    /// - Returns: Delivered, retryable (with a reason, optionally a delay) or permanent.
    /// - Throws: ``PluginStatus/invalidArgument`` for a message that cannot be sent as it is
    ///   (the host gives up on it); any other status becomes a retryable outcome.
    func send(message: NotifyMessage, call: PluginCall) throws -> NotifyOutcome
}

/// A `kinora.notify/1` channel whose provider reports delivery later (an SMS gateway's status
/// callback): the host hands each POST to /api/v1/notify/callbacks/{instance} to
/// ``parseCallback(request:call:)``. A plain ``NotifyPlugin`` leaves `parse_callback` NULL,
/// and the host answers such a POST with 404.
///
/// ```swift
/// public func parseCallback(request: NotifyCallbackRequest, call: PluginCall) throws -> NotifyDeliveryReport {
///     guard !request.body.isEmpty else { throw PluginError(.invalidArgument, "the callback has no body") }
///     guard let signature = request.header("x-gateway-signature"),
///         NotifyCallbackRequest.constantTimeEquals(signature, sign(request.url + request.body, key))
///     else { throw PluginError(.permission, "the callback's signature does not verify") }
///     let form = NotifyCallbackRequest.formFields(request.body)
///     return NotifyDeliveryReport(providerID: form["MessageSid"] ?? "", status: form["MessageStatus"] == "delivered" ? .delivered : .pending)
/// }
/// ```
public protocol NotifyCallbackPlugin: NotifyPlugin {
    /// Verifies and reads one delivery-status callback.
    ///
    /// - Throws: ``PluginStatus/permission`` when the signature does not verify (the host
    ///   answers 403 and records nothing), ``PluginStatus/invalidArgument`` for a callback the
    ///   plugin cannot read (400).
    func parseCallback(request: NotifyCallbackRequest, call: PluginCall) throws -> NotifyDeliveryReport
}

/// A `kinora.notify/1` channel with public values its clients need to set it up (Web Push's
/// VAPID key): the host serves ``channelInfo`` to signed-in accounts through `channel_info`.
/// A plain ``NotifyPlugin`` leaves `channel_info` NULL. A type may adopt both this and
/// ``NotifyCallbackPlugin``.
///
/// ```swift
/// public var channelInfo: [String: String] { ["application_server_key": publicKeyBase64URL] }
/// ```
public protocol NotifyChannelInfoPlugin: NotifyPlugin {
    /// Public values only (the host serves them to any signed-in account). The kit reads it
    /// once, on the first `channel_info` call, and answers the same text until the instance
    /// is destroyed: it must not change after ``start()``.
    var channelInfo: [String: String] { get }
}

/// The HTTP request of a delivery-status callback, as the host received it.
public struct NotifyCallbackRequest: Sendable {
    /// The public URL the provider posted to (what it signed, for most providers).
    public var url: String
    public var method: String
    /// Header names in lower case.
    public var headers: [String: String]
    /// The body as UTF-8 text.
    public var body: String

    public init(url: String, method: String = "POST", headers: [String: String] = [:], body: String) {
        self.url = url
        self.method = method
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
        self.body = body
    }

    /// Reads `request_json`.
    ///
    /// - Throws: ``PluginStatus/invalidArgument`` when it is not an object with a string `body`.
    public init(json: String) throws {
        let value: JSONValue
        do { value = try JSONValue(parsing: json) } catch { throw PluginError(.invalidArgument, "the callback request is not JSON: \(error)") }
        guard case .object(let object) = value else { throw PluginError(.invalidArgument, "the callback request is not a JSON object") }
        guard let body = object["body"]?.stringValue else { throw PluginError(.invalidArgument, "the callback request has no \"body\" string") }
        var headers: [String: String] = [:]
        for (name, member) in object["headers"]?.objectValue ?? [:] {
            if let text = member.stringValue { headers[name] = text }
        }
        self.init(url: object["url"]?.stringValue ?? "", method: object["method"]?.stringValue ?? "POST", headers: headers, body: body)
    }

    /// The header `name`, in any case.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// Compares a signature in time that does not depend on where the strings differ.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        var difference = UInt8(truncatingIfNeeded: x.count ^ y.count)
        for i in 0..<max(x.count, y.count) {
            difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return difference == 0
    }

    /// The fields of an `application/x-www-form-urlencoded` body ("a=1&b=x%20y"); the last of
    /// a repeated name wins, and a malformed escape is kept as written.
    public static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            fields[percentDecoded(parts[0])] = parts.count > 1 ? percentDecoded(parts[1]) : ""
        }
        return fields
    }

    private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let c = utf8.popFirst() {
            if c == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if c == UInt8(ascii: "%"), utf8.count >= 2, let byte = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(byte)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(c)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// What a delivery-status callback says about one message.
public struct NotifyDeliveryReport: Sendable, Hashable {
    public enum Status: String, Sendable, CaseIterable {
        case delivered, failed, pending
    }

    /// The provider's id for the message, as ``NotifyOutcome/delivered(providerID:)`` gave it.
    public var providerID: String
    public var status: Status
    /// Why it failed, for admins.
    public var reason: String?

    public init(providerID: String, status: Status, reason: String? = nil) {
        self.providerID = providerID
        self.status = status
        self.reason = reason
    }

    /// The result object of `parse_callback`.
    public var json: String {
        var object: [String: JSONValue] = ["provider_id": .string(providerID), "status": .string(status.rawValue)]
        if let reason { object["reason"] = .string(reason) }
        return JSONValue.object(object).jsonString
    }
}
