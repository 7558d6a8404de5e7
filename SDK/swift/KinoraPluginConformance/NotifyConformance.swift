import KinoraJSON
import KinoraPluginABI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The behaviour every `kinora.notify/1` instance must show. The suite sends made-up messages
/// to whatever the instance's settings point at (a test peer), so no case expects "delivered":
/// only the shapes and rules of `kinora/plugin.h`. A static address kind; a well-formed
/// outcome for a well-formed message; malformed messages and injected mail headers refused;
/// a resend with the same idempotency key answered; a call past its deadline completed
/// promptly; forged or unreadable delivery callbacks refused; one completion per call.
///
/// ```swift
/// let kind = try NotifyConformance.addressKind(plugin)  // "email"
/// let outcome = try NotifyConformance.send(plugin, messageJSON: NotifyConformance.sampleMessage(addressKind: kind))
/// try NotifyConformance.checkOutcome(outcome)  // "delivered", "retryable" or "permanent"
/// ```
public enum NotifyConformance {
    static func make(_ name: String, _ summary: String, _ body: @escaping @Sendable (PluginUnderTest) throws -> Void) -> ConformanceCase {
        ConformanceCase(interface: KN_NOTIFY_ID, name: name, summary: summary, body: body)
    }

    public static let cases: [ConformanceCase] = [
        make("address-kind", "address_kind answers \"email\", \"phone\", \"webpush\" or \"none\", the same pointer every time", addressKindCase),
        make("send-outcome", "a well-formed message completes OK with an outcome object of the documented shape", sendOutcome),
        make("invalid-message", "a message that is not a JSON object or lacks \"text\" or \"idempotency_key\" is invalid argument", invalidMessage),
        make(
            "header-injection",
            "a header value holding CR or LF is invalid argument or a permanent outcome (a mail channel), never delivered", headerInjection),
        make("idempotent-resend", "the same message sent twice with one idempotency key completes both times, never permanent after delivered", idempotentResend),
        make("past-deadline", "a call whose deadline has passed completes within \(deadlineGraceSeconds) s, with timeout or an outcome", pastDeadline),
        make("send-completes-once", "every send completes exactly once, on success and on failure", completesOnce),
        make("callback-forged-signature", "parse_callback, when present, answers permission denied to a forged signature", callbackForged),
        make("callback-unreadable", "parse_callback, when present, answers invalid argument to a request it cannot read", callbackUnreadable),
        make("channel-info", "channel_info, when present, answers a JSON object whose values are strings, the same every call", channelInfoCase),
    ]

    /// How long the past-deadline case waits for the completion.
    public static let deadlineGraceSeconds = 5

    static let addressKinds = ["email", "phone", "webpush", "none"]

    // MARK: - Calls

    static func table(_ plugin: PluginUnderTest) throws -> kn_notify_v1_t {
        guard let table = plugin.table(KN_NOTIFY_ID, as: kn_notify_v1_t.self) else {
            throw ConformanceFailure("the instance returns no \(KN_NOTIFY_ID) table")
        }
        return table.pointee
    }

    /// The raw pointer address_kind returns (nil for NULL).
    static func addressKindPointer(_ plugin: PluginUnderTest) throws -> UnsafePointer<CChar>? {
        guard let addressKind = try table(plugin).address_kind else { throw ConformanceFailure("\(KN_NOTIFY_ID): the table's address_kind is NULL") }
        return addressKind(plugin.raw)
    }

    /// What address_kind answers.
    ///
    /// - Throws: ``ConformanceFailure`` when it answers NULL.
    public static func addressKind(_ plugin: PluginUnderTest) throws -> String {
        guard let kind = try addressKindPointer(plugin) else { throw ConformanceFailure("address_kind returned NULL") }
        return String(cString: kind)
    }

    /// Sends `messageJSON` and returns the outcome object's text.
    ///
    /// - Parameters:
    ///   - requestID: The call's request id; the host passes the message's idempotency key.
    ///   - deadlineUnixNanoseconds: The call's deadline (0: none).
    /// - Throws: ``PluginCallFailure`` when the call completed with a failure status.
    public static func send(
        _ plugin: PluginUnderTest, messageJSON: String, requestID: String = "conformance", deadlineUnixNanoseconds: Int64 = 0
    ) throws -> String {
        try sendKeepingBox(plugin, messageJSON: messageJSON, requestID: requestID, deadlineUnixNanoseconds: deadlineUnixNanoseconds).0.get()
    }

    static func sendKeepingBox(
        _ plugin: PluginUnderTest, messageJSON: String, requestID: String = "conformance", deadlineUnixNanoseconds: Int64 = 0,
        waitSeconds: Int = CallLimits.seconds
    ) throws -> (Result<String, any Error>, CallBox) {
        guard let send = try table(plugin).send else { throw ConformanceFailure("\(KN_NOTIFY_ID): the table's send is NULL") }
        return PluginCallRunner.performKeepingBox(
            plugin, what: "send", requestID: requestID, deadlineUnixNanoseconds: deadlineUnixNanoseconds, waitSeconds: waitSeconds,
            decode: { p -> String in
                guard let p else { throw ConformanceFailure("send completed OK without an outcome (the result is NULL)") }
                return String(cString: p.assumingMemoryBound(to: CChar.self))
            }
        ) { call, done, box in
            send(plugin.raw, call, box.cString(messageJSON), done)
        }
    }

    /// Hands `requestJSON` to parse_callback and returns its result; nil when the instance has
    /// no parse_callback (the interface's one optional function).
    ///
    /// - Throws: ``PluginCallFailure`` when the call completed with a failure status.
    public static func parseCallback(_ plugin: PluginUnderTest, requestJSON: String) throws -> String? {
        guard let parse = try table(plugin).parse_callback else { return nil }
        return try PluginCallRunner.perform(
            plugin, what: "parse_callback",
            decode: { p -> String in
                guard let p else { throw ConformanceFailure("parse_callback completed OK without a result (the result is NULL)") }
                return String(cString: p.assumingMemoryBound(to: CChar.self))
            }
        ) { call, done, box in
            parse(plugin.raw, call, box.cString(requestJSON), done)
        }
    }

    /// What channel_info answers; nil when the instance has none (an optional function).
    ///
    /// - Throws: ``ConformanceFailure`` when it is present but answers NULL.
    public static func channelInfo(_ plugin: PluginUnderTest) throws -> String? {
        guard let info = try table(plugin).channel_info else { return nil }
        guard let text = info(plugin.raw) else { throw ConformanceFailure("channel_info returned NULL (leave the function NULL when there is nothing to tell)") }
        return String(cString: text)
    }

    // MARK: - Samples and shapes

    /// A fresh idempotency key, so runs against one test peer never collide.
    public static func freshKey() -> String {
        "conformance-" + String(UInt64.random(in: .min ... .max), radix: 16)
    }

    /// A recipient that suits `addressKind`: a mail address of example.org, a phone number of
    /// the fictional 555-01xx range, a subscription whose endpoint is a closed loopback port
    /// and whose key is the P-256 generator (a valid point) with a 16-byte auth secret, or nothing for "none".
    public static func sampleRecipient(addressKind: String) -> JSONValue? {
        switch addressKind {
        case "email": "conformance@example.org"
        case "phone": "+15555550123"
        case "webpush":
            [
                "endpoint": "https://127.0.0.1:9/kinora-conformance/push",
                "keys": [
                    "p256dh": "BGsX0fLhLEJH-Lzm5WOkQPJ3A32BLeszoPShOUXYmMKWT-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU",
                    "auth": "a2lub3JhLWNvbmZvcm1uYw",
                ],
            ]
        default: nil
        }
    }

    /// A complete, well-formed message for a channel of `addressKind`, as the host renders one.
    public static func sampleMessage(addressKind: String, idempotencyKey: String = freshKey(), headers: [String: JSONValue]? = nil) -> String {
        var message: [String: JSONValue] = [
            "to_name": "Kinora Conformance",
            "subject": "Kinora conformance check",
            "text": "This message was sent by `kinora plugin conformance`. It needs no action.\nhttps://kinora.invalid/conformance",
            "html": "<!doctype html><p>This message was sent by <code>kinora plugin conformance</code>. It needs no action.</p>",
            "headers": .object(
                headers ?? [
                    "List-Unsubscribe": "<https://kinora.invalid/unsubscribe/conformance>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                ]),
            "idempotency_key": .string(idempotencyKey),
            "event": "conformance.check",
            "language": "en",
            "data": ["url": "https://kinora.invalid/conformance"],
        ]
        message["to"] = sampleRecipient(addressKind: addressKind)
        return JSONValue.object(message).jsonString
    }

    /// Checks an outcome object's shape and returns its "outcome": "delivered" (with an
    /// optional string "provider_id"), "retryable" (a string "reason", an optional
    /// non-negative number "retry_after_seconds") or "permanent" (a string "reason", an
    /// optional boolean "address_gone").
    ///
    /// - Throws: ``ConformanceFailure`` naming the key that breaks the shape.
    @discardableResult
    public static func checkOutcome(_ json: String) throws -> String {
        let value: JSONValue
        do { value = try JSONValue(parsing: json) } catch { throw ConformanceFailure("the outcome is not JSON (\(error)): \(json.prefix(200))") }
        guard case .object = value else { throw ConformanceFailure("the outcome is not a JSON object: \(json.prefix(200))") }
        guard case .string(let outcome) = value["outcome"] else {
            throw ConformanceFailure("the outcome object has no string \"outcome\": \(json.prefix(200))")
        }
        func optional(_ key: String, _ valid: (JSONValue) -> Bool, _ expected: String) throws {
            guard let member = value[key], !member.isNull else { return }
            try expect(valid(member), "\"\(key)\" of a \(outcome) outcome must be \(expected), found \(member.jsonString.prefix(80))")
        }
        func reason() throws {
            guard case .string = value["reason"] else {
                throw ConformanceFailure("a \(outcome) outcome needs a string \"reason\": \(json.prefix(200))")
            }
        }
        switch outcome {
        case KN_NOTIFY_DELIVERED:
            try optional("provider_id", { $0.stringValue != nil }, "a string")
        case KN_NOTIFY_RETRYABLE:
            try reason()
            try optional("retry_after_seconds", { ($0.doubleValue ?? -1) >= 0 && $0.doubleValue!.isFinite }, "a non-negative number")
        case KN_NOTIFY_PERMANENT:
            try reason()
            try optional("address_gone", { $0.boolValue != nil }, "a boolean")
        default:
            throw ConformanceFailure("\"outcome\" is \"\(outcome.prefix(40))\", not delivered, retryable or permanent")
        }
        return outcome
    }

    // MARK: - Cases

    static func addressKindCase(_ plugin: PluginUnderTest) throws {
        let first = try addressKindPointer(plugin)
        guard let first else { throw ConformanceFailure("address_kind returned NULL") }
        let kind = String(cString: first)
        try expect(addressKinds.contains(kind), "address_kind returned \"\(kind.prefix(40))\", not email, phone, webpush or none")
        for i in 0..<64 {
            let again = try addressKindPointer(plugin)
            try expect(again == first, "address_kind returned a different pointer on call \(i + 2): static storage is required")
            try expect(String(cString: first) == kind, "address_kind's string changed from \"\(kind)\" to \"\(String(cString: first))\"")
        }
    }

    static func sendOutcome(_ plugin: PluginUnderTest) throws {
        let kind = try addressKind(plugin)
        let key = freshKey()
        do {
            try checkOutcome(try send(plugin, messageJSON: sampleMessage(addressKind: kind, idempotencyKey: key), requestID: key))
        } catch let error as PluginCallFailure {
            throw ConformanceFailure("send of a well-formed message: expected an outcome, got \(error) (report a provider's refusal as a retryable or permanent outcome)")
        }
    }

    /// Messages no channel can send; each must be refused, not delivered or retried.
    static func invalidMessages(kind: String) -> [(String, String)] {
        var withoutText = try! JSONValue(parsing: sampleMessage(addressKind: kind)).objectValue!
        withoutText["text"] = nil
        var withoutKey = try! JSONValue(parsing: sampleMessage(addressKind: kind)).objectValue!
        withoutKey["idempotency_key"] = nil
        return [
            ("text that is not JSON", "this is not JSON {"),
            ("an empty message", ""),
            ("a JSON array", "[]"),
            ("a message without \"text\"", JSONValue.object(withoutText).jsonString),
            ("a message without \"idempotency_key\"", JSONValue.object(withoutKey).jsonString),
        ]
    }

    static func invalidMessage(_ plugin: PluginUnderTest) throws {
        let kind = try addressKind(plugin)
        for (what, json) in invalidMessages(kind: kind) {
            do {
                let outcome = try send(plugin, messageJSON: json)
                throw ConformanceFailure("send of \(what): expected invalid argument, but it completed OK with \(outcome.prefix(200))")
            } catch let error as PluginCallFailure {
                try expect(error.status == KN_E_INVALID_ARGUMENT, "send of \(what): expected invalid argument, got \(error)")
            }
        }
    }

    /// A header value that would add a Bcc to a mail written naively, with CRLF and with LF.
    static let injectedHeaders: [(String, [String: JSONValue])] = [
        ("CRLF", ["X-Kinora-Conformance": "ok\r\nBcc: injected@example.org"]),
        ("LF", ["X-Kinora-Conformance": "ok\nBcc: injected@example.org"]),
    ]

    static func headerInjection(_ plugin: PluginUnderTest) throws {
        let kind = try addressKind(plugin)
        for (what, headers) in injectedHeaders {
            let key = freshKey()
            let outcome: String
            do {
                outcome = try checkOutcome(try send(plugin, messageJSON: sampleMessage(addressKind: kind, idempotencyKey: key, headers: headers), requestID: key))
            } catch let error as PluginCallFailure {
                try expect(
                    error.status == KN_E_INVALID_ARGUMENT,
                    "a header value with \(what) inside: expected invalid argument or a permanent outcome, got \(error)")
                continue
            }
            // Headers are a mail's: a channel of another kind ignores them (plugin.h), so it
            // may send the message without them.
            guard kind == "email" else { continue }
            try expect(
                outcome == KN_NOTIFY_PERMANENT,
                "a header value with \(what) inside: expected invalid argument or a permanent outcome, got a \(outcome) outcome (the mail may carry the injected header)"
            )
        }
    }

    static func idempotentResend(_ plugin: PluginUnderTest) throws {
        let kind = try addressKind(plugin)
        let key = freshKey()
        let message = sampleMessage(addressKind: kind, idempotencyKey: key)
        var outcomes: [String] = []
        for attempt in ["first", "second"] {
            do {
                outcomes.append(try checkOutcome(try send(plugin, messageJSON: message, requestID: key)))
            } catch let error as PluginCallFailure {
                throw ConformanceFailure("the \(attempt) send with idempotency key \(key): expected an outcome, got \(error)")
            }
        }
        try expect(
            !(outcomes[0] == KN_NOTIFY_DELIVERED && outcomes[1] == KN_NOTIFY_PERMANENT),
            "the second send with idempotency key \(key) answered permanent after the first was delivered: a resend after a crash must not fail the message")
    }

    static func pastDeadline(_ plugin: PluginUnderTest) throws {
        let kind = try addressKind(plugin)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let past = (Int64(now.tv_sec) - 2) * 1_000_000_000
        let key = freshKey()
        let (result, _) = try sendKeepingBox(
            plugin, messageJSON: sampleMessage(addressKind: kind, idempotencyKey: key), requestID: key, deadlineUnixNanoseconds: past,
            waitSeconds: deadlineGraceSeconds)
        do {
            try checkOutcome(try result.get())
        } catch let error as PluginCallFailure {
            try expect(
                [KN_E_TIMEOUT, KN_E_CANCELLED].contains(error.status),
                "send with a deadline 2 s in the past: expected timed out or an outcome, got \(error)")
        } catch let error as ConformanceFailure where error.description.hasPrefix("send: no completion") {
            throw ConformanceFailure("send with a deadline 2 s in the past did not complete within \(deadlineGraceSeconds) s: give up with timed out")
        }
    }

    static func completesOnce(_ plugin: PluginUnderTest) throws {
        let kind = try addressKind(plugin)
        let key = freshKey()
        let calls = [
            ("well-formed", try sendKeepingBox(plugin, messageJSON: sampleMessage(addressKind: kind, idempotencyKey: key), requestID: key).1),
            ("not JSON", try sendKeepingBox(plugin, messageJSON: "{").1),
            ("without text", try sendKeepingBox(plugin, messageJSON: invalidMessages(kind: kind)[3].1).1),
            ("injected header", try sendKeepingBox(plugin, messageJSON: sampleMessage(addressKind: kind, headers: injectedHeaders[0].1)).1),
        ]
        usleep(200_000)
        for (what, box) in calls {
            try expect(box.completions == 1, "send (\(what)) completed \(box.completions) times")
        }
    }

    /// A status callback as an SMS gateway posts it, with every usual signature header set
    /// to a value no key could have produced.
    static func forgedCallback(body: String) -> String {
        JSONValue.object([
            "url": "https://kinora.invalid/api/v1/notify/callbacks/conformance",
            "method": "POST",
            "headers": [
                "content-type": "application/x-www-form-urlencoded",
                "x-twilio-signature": "Zm9yZ2VkLXNpZ25hdHVyZQ==",
                "x-signature": "sha256=0000000000000000000000000000000000000000000000000000000000000000",
                "x-hub-signature-256": "sha256=0000000000000000000000000000000000000000000000000000000000000000",
                "authorization": "Basic Zm9yZ2VkOmZvcmdlZA==",
            ],
            "body": .string(body),
        ]).jsonString
    }

    static func callbackForged(_ plugin: PluginUnderTest) throws {
        guard try table(plugin).parse_callback != nil else { return }  // no callbacks: nothing to forge
        let request = forgedCallback(body: "MessageSid=SMconformance&MessageStatus=delivered&id=conformance&status=delivered")
        do {
            guard let result = try parseCallback(plugin, requestJSON: request) else { return }
            throw ConformanceFailure("parse_callback with a forged signature: expected permission denied, but it completed OK with \(result.prefix(200))")
        } catch let error as PluginCallFailure {
            try expect(error.status == KN_E_PERMISSION, "parse_callback with a forged signature: expected permission denied, got \(error)")
        }
    }

    static func callbackUnreadable(_ plugin: PluginUnderTest) throws {
        guard try table(plugin).parse_callback != nil else { return }
        // A request with no body at all cannot be read; one whose body is empty cannot be
        // verified either, so permission denied is as right as invalid argument there.
        let requests: [(String, String, [kn_status_t])] = [
            ("an empty request", "", [KN_E_INVALID_ARGUMENT]),
            ("a request that is not JSON", "MessageSid=SM1", [KN_E_INVALID_ARGUMENT]),
            ("a request with an empty body", forgedCallback(body: ""), [KN_E_INVALID_ARGUMENT, KN_E_PERMISSION]),
        ]
        for (what, json, statuses) in requests {
            try expectStatus(statuses, "parse_callback of \(what)") {
                _ = try parseCallback(plugin, requestJSON: json)
            }
        }
    }

    static func channelInfoCase(_ plugin: PluginUnderTest) throws {
        guard let first = try channelInfo(plugin) else { return }
        let value: JSONValue
        do { value = try JSONValue(parsing: first) } catch { throw ConformanceFailure("channel_info is not JSON (\(error)): \(first.prefix(200))") }
        guard let object = value.objectValue else { throw ConformanceFailure("channel_info is not a JSON object: \(first.prefix(200))") }
        for (key, member) in object.sorted(by: { $0.key < $1.key }) {
            try expect(member.stringValue != nil, "channel_info's \"\(key.prefix(40))\" is \(member.jsonString.prefix(80)), not a string")
        }
        for i in 0..<16 {
            let again = try channelInfo(plugin)
            try expect(again == first, "channel_info answered \(again?.prefix(200) ?? "nil") on call \(i + 2), \(first.prefix(200)) on the first: it must not change")
        }
    }
}
