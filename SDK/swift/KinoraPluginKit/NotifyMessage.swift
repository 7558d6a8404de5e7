import KinoraPluginABI

/// The kind of address a `kinora.notify/1` channel delivers to; the host only sends a user
/// messages on a channel whose address it knows for them.
public enum NotifyAddressKind: String, Sendable, CaseIterable {
    /// A mail address: `to` is "alice@example.org".
    case email
    /// An E.164 phone number: `to` is "+15551234567".
    case phone
    /// A Web Push subscription: `to` is the browser's subscription object.
    case webpush
    /// One place of the plugin's own settings (a webhook URL): the message has no `to`.
    case none
}

/// A browser's Web Push subscription, as `PushManager.subscribe()` returned it.
public struct WebPushSubscription: Sendable, Hashable {
    /// The push service's URL for this browser.
    public var endpoint: String
    /// The browser's P-256 public key, base64url (65 bytes decoded).
    public var p256dh: String
    /// The authentication secret, base64url (16 bytes decoded).
    public var auth: String

    public init(endpoint: String, p256dh: String, auth: String) {
        self.endpoint = endpoint
        self.p256dh = p256dh
        self.auth = auth
    }
}

/// Who a message goes to: a mail address or phone number as text, or a Web Push subscription.
public enum NotifyRecipient: Sendable, Hashable {
    case address(String)
    case webPush(WebPushSubscription)
}

/// One rendered message, as `kinora.notify/1` hands it to ``NotifyPlugin/send(message:call:)``.
/// The kit reads `message_json` and refuses, as ``PluginStatus/invalidArgument``, what no
/// channel could send: text that is not a JSON object, a missing `text` or `idempotency_key`, a
/// `to` of the wrong shape for the channel, and a header whose name is not an HTTP token or
/// whose value holds CR, LF or NUL (a header injection).
///
/// ```swift
/// let message = try NotifyMessage(json: #"{"to":"alice@example.org","text":"Hi","idempotency_key":"k1"}"#)
/// message.to            // .address("alice@example.org")
/// message.messageID(domain: "kinora.example")  // "<k1@kinora.example>"
/// ```
public struct NotifyMessage: Sendable {
    /// The recipient for this channel's address kind; nil for "none" channels.
    public var to: NotifyRecipient?
    /// The recipient's display name ("Alice").
    public var toName: String?
    /// The subject line (mail, a push notification's title). It may hold any character the
    /// host's template produced: a mail plugin encodes it (RFC 2047), never copies it raw.
    public var subject: String?
    /// Plain text, always present.
    public var text: String
    /// An HTML alternative, when the template has one.
    public var html: String?
    /// Headers to add to a mail ("List-Unsubscribe"); channels without headers ignore them.
    /// Checked by the kit: names are HTTP tokens, values hold no CR, LF or NUL.
    public var headers: [String: String]
    /// The same for every attempt at this message: pass it on to the provider so it can
    /// deduplicate (see ``messageID(domain:)``).
    public var idempotencyKey: String
    /// The event's stable key ("video.published").
    public var event: String?
    /// The message's language ("en").
    public var language: String?
    /// The event's ids and links.
    public var data: [String: JSONValue]
    /// The whole message object, for keys this version of the kit does not know.
    public var raw: JSONValue

    /// Reads `message_json`.
    ///
    /// - Throws: ``PluginStatus/invalidArgument`` naming the key that is missing or malformed.
    public init(json: String) throws {
        let value: JSONValue
        do { value = try JSONValue(parsing: json) } catch { throw PluginError(.invalidArgument, "the message is not JSON: \(error)") }
        guard case .object(let object) = value else { throw PluginError(.invalidArgument, "the message is not a JSON object") }
        func optionalString(_ key: String) throws -> String? {
            guard let member = object[key], !member.isNull else { return nil }
            guard let text = member.stringValue else { throw PluginError(.invalidArgument, "message.\(key) is \(member.kindName), not a string") }
            return text
        }
        guard let text = try optionalString("text") else { throw PluginError(.invalidArgument, "the message has no \"text\"") }
        guard let key = try optionalString("idempotency_key"), !key.isEmpty else {
            throw PluginError(.invalidArgument, "the message has no \"idempotency_key\"")
        }
        self.text = text
        idempotencyKey = key
        toName = try optionalString("to_name")
        subject = try optionalString("subject")
        html = try optionalString("html")
        event = try optionalString("event")
        language = try optionalString("language")
        raw = value
        to = try Self.recipient(object["to"])
        headers = try Self.headers(object["headers"])
        switch object["data"] {
        case nil, .null?: data = [:]
        case .object(let members)?: data = members
        case let other?: throw PluginError(.invalidArgument, "message.data is \(other.kindName), not an object")
        }
    }

    private static func recipient(_ value: JSONValue?) throws -> NotifyRecipient? {
        switch value {
        case nil, .null?: return nil
        case .string(let address)?: return .address(address)
        case .object(let subscription)?:
            guard let endpoint = subscription["endpoint"]?.stringValue, let p256dh = subscription["keys"]?["p256dh"]?.stringValue,
                let auth = subscription["keys"]?["auth"]?.stringValue
            else {
                throw PluginError(.invalidArgument, "message.to is an object without \"endpoint\" and \"keys\" {\"p256dh\", \"auth\"}")
            }
            return .webPush(WebPushSubscription(endpoint: endpoint, p256dh: p256dh, auth: auth))
        case let other?: throw PluginError(.invalidArgument, "message.to is \(other.kindName), not a string or a subscription object")
        }
    }

    private static func headers(_ value: JSONValue?) throws -> [String: String] {
        switch value {
        case nil, .null?: return [:]
        case .object(let members)?:
            var headers: [String: String] = [:]
            for (name, member) in members {
                // Neither a bad name nor a value is echoed: either may hold the injection itself.
                guard isToken(name) else { throw PluginError(.invalidArgument, "message.headers has a name that is not a header name (an HTTP token)") }
                guard let text = member.stringValue else { throw PluginError(.invalidArgument, "message.headers.\(name) is not a string") }
                // The value is never echoed: it may carry an unsubscribe token.
                guard !text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                    throw PluginError(.invalidArgument, "message.headers.\(name) contains CR, LF or NUL")
                }
                headers[name] = text
            }
            return headers
        case let other?: throw PluginError(.invalidArgument, "message.headers is \(other.kindName), not an object")
        }
    }

    /// RFC 9110's token: the characters a header name may have.
    static func isToken(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || Array("!#$%&'*+-.^_`|~".utf8).contains(c)
            }
    }

    /// Checks that `to` suits a channel of `kind`: text for "email" and "phone", a
    /// subscription for "webpush"; "none" ignores it. The kit calls it before ``NotifyPlugin/send(message:call:)``.
    ///
    /// - Throws: ``PluginStatus/invalidArgument`` for a missing or mismatched address.
    public func checkRecipient(for kind: NotifyAddressKind) throws {
        switch (kind, to) {
        case (.none, _): return
        case (.webpush, .webPush?): return
        case (.email, .address(let address)?):
            let parts = address.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count >= 2, !parts[0].isEmpty, !parts[parts.count - 1].isEmpty,
                !address.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0 == "<" || $0 == ">" })
            else { throw PluginError(.invalidArgument, "message.to is not a mail address") }
        case (.phone, .address(let number)?):
            let digits = number.utf8.dropFirst()
            guard number.hasPrefix("+"), (2...15).contains(digits.count), digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), digits.first != 0x30 else {
                throw PluginError(.invalidArgument, "message.to is not an E.164 phone number")
            }
        case (_, nil): throw PluginError(.invalidArgument, "the message has no \"to\" for this \(kind.rawValue) channel")
        default: throw PluginError(.invalidArgument, "message.to does not suit a \(kind.rawValue) channel")
        }
    }

    /// A mail Message-ID built from the idempotency key, so a resent message keeps its id:
    /// "<KEY@domain>", with characters a Message-ID cannot hold replaced by "-".
    public func messageID(domain: String) -> String {
        let safe = String(String.UnicodeScalarView(idempotencyKey.unicodeScalars.map { s in
            s.isASCII && s.value > 0x20 && s.value < 0x7F && !"<>@()[]\\\",;: ".unicodeScalars.contains(s) ? s : "-"
        }))
        return "<\(safe)@\(domain)>"
    }
}

/// What became of one message: `send`'s answer. The kit writes the outcome object the host
/// reads.
///
/// ```swift
/// switch reply.code {
/// case 250: return .delivered(providerID: reply.queueID)
/// case 400..<500: return .retryable(reason: reply.text, retryAfter: 60)
/// default: return .permanent(reason: reply.text, addressGone: reply.code == 550)
/// }
/// ```
public enum NotifyOutcome: Sendable, Hashable {
    /// The provider accepted the message; its id for it, when it gave one.
    case delivered(providerID: String?)
    /// Not now (a 4xx mail reply, HTTP 429 or 5xx, a refused connection): the host retries
    /// with backoff, no sooner than `retryAfter` seconds when given (negative counts as 0).
    case retryable(reason: String, retryAfter: Int? = nil)
    /// Never (a 5xx mail reply, HTTP 4xx): recorded and shown to admins. `addressGone` tells
    /// the host to forget the address (a Web Push subscription answered 404 or 410).
    case permanent(reason: String, addressGone: Bool = false)

    /// The outcome object of `kinora.notify/1`.
    ///
    /// ```swift
    /// NotifyOutcome.retryable(reason: "421 busy", retryAfter: 30).json  // {"outcome":"retryable","reason":"421 busy","retry_after_seconds":30}
    /// ```
    public var json: String {
        var object: [String: JSONValue]
        switch self {
        case .delivered(let providerID):
            object = ["outcome": .string(KN_NOTIFY_DELIVERED)]
            if let providerID { object["provider_id"] = .string(providerID) }
        case .retryable(let reason, let retryAfter):
            object = ["outcome": .string(KN_NOTIFY_RETRYABLE), "reason": .string(reason)]
            if let retryAfter { object["retry_after_seconds"] = .integer(Int64(max(0, retryAfter))) }
        case .permanent(let reason, let addressGone):
            object = ["outcome": .string(KN_NOTIFY_PERMANENT), "reason": .string(reason), "address_gone": .bool(addressGone)]
        }
        return JSONValue.object(object).jsonString
    }
}
