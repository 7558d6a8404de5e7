import KinoraPluginKit
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A `kinora.notify/1` channel written with the kit, as a third party would: it "delivers" into
/// an outbox, one JSON line per message in the file its settings name, and keeps one line per
/// idempotency key, so a resend is answered but never written twice. Delivery callbacks are
/// form posts signed by a shared token in `x-outbox-signature`. Its channel info names the file.
final class OutboxChannel: NotifyCallbackPlugin, NotifyChannelInfoPlugin {
    struct Settings: Decodable, Sendable {
        var file: String
        var addressKind: String?
        var callbackToken: String?
        enum CodingKeys: String, CodingKey {
            case file
            case addressKind = "address_kind"
            case callbackToken = "callback_token"
        }
    }

    static let descriptor = PluginDescriptor(
        id: "org.test.notify-outbox", name: "Outbox channel", version: "1.0.0",
        configSchema: #"{"type":"object","required":["file"],"additionalProperties":false,"properties":{"file":{"type":"string"},"address_kind":{"enum":["email","phone","webpush","none"]},"callback_token":{"type":"string"}}}"#
    )

    let outbox: Outbox
    let kind: NotifyAddressKind
    let callbackToken: String

    init(settings: Settings, host: PluginHost) throws {
        guard let kind = NotifyAddressKind(rawValue: settings.addressKind ?? "email") else {
            throw PluginError(.config, "settings.address_kind: \"\(settings.addressKind ?? "")\" is not email, phone, webpush or none")
        }
        self.kind = kind
        outbox = Outbox(file: settings.file)
        callbackToken = settings.callbackToken ?? "outbox-callback-token"
    }

    var addressKind: NotifyAddressKind { kind }

    var channelInfo: [String: String] { ["outbox": outbox.file] }

    func send(message: NotifyMessage, call: PluginCall) throws -> NotifyOutcome {
        .delivered(providerID: try outbox.deliver(message))
    }

    func parseCallback(request: NotifyCallbackRequest, call: PluginCall) throws -> NotifyDeliveryReport {
        guard !request.body.isEmpty else { throw PluginError(.invalidArgument, "the callback has no body") }
        guard let signature = request.header("X-Outbox-Signature"), NotifyCallbackRequest.constantTimeEquals(signature, callbackToken) else {
            throw PluginError(.permission, "the callback's signature does not verify")
        }
        let form = NotifyCallbackRequest.formFields(request.body)
        guard let id = form["id"], let status = form["status"].flatMap(NotifyDeliveryReport.Status.init(rawValue:)) else {
            throw PluginError(.invalidArgument, "the callback has no id or no known status")
        }
        return NotifyDeliveryReport(providerID: id, status: status, reason: form["reason"])
    }
}

/// The same outbox without delivery callbacks: the kit leaves parse_callback NULL.
final class PlainOutboxChannel: NotifyPlugin {
    typealias Settings = OutboxChannel.Settings
    static let descriptor = PluginDescriptor(id: "org.test.notify-plain", name: "Outbox channel without callbacks", serializeCalls: true)
    let outbox: Outbox
    init(settings: Settings, host: PluginHost) throws { outbox = Outbox(file: settings.file) }
    var addressKind: NotifyAddressKind { .none }
    func send(message: NotifyMessage, call: PluginCall) throws -> NotifyOutcome { .delivered(providerID: try outbox.deliver(message)) }
}

/// A broken channel, built with the kit: it treats a resend as a new message the provider
/// refuses, which would fail for good every message a crash interrupted.
final class ResendRefusingChannel: NotifyPlugin {
    typealias Settings = OutboxChannel.Settings
    static let descriptor = PluginDescriptor(id: "org.test.notify-resend-refusing", name: "Channel refusing resends")
    let seen = Mutex<Set<String>>([])
    init(settings: Settings, host: PluginHost) throws {}
    var addressKind: NotifyAddressKind { .phone }
    func send(message: NotifyMessage, call: PluginCall) throws -> NotifyOutcome {
        let fresh = seen.withLock { $0.insert(message.idempotencyKey).inserted }
        return fresh ? .delivered(providerID: nil) : .permanent(reason: "duplicate message")
    }
}

/// Messages by idempotency key, appended to a file as JSON lines.
final class Outbox: Sendable {
    let file: String
    let keys = Mutex<[String: String]>([:])

    init(file: String) { self.file = file }

    /// Writes the message once per key; returns its provider id.
    func deliver(_ message: NotifyMessage) throws -> String {
        try keys.withLock { keys in
            if let id = keys[message.idempotencyKey] { return id }
            guard let handle = fopen(file, "a") else { throw PluginError.errno(errno, "opening \(file)") }
            defer { fclose(handle) }
            guard fputs(message.raw.jsonString + "\n", handle) >= 0 else { throw PluginError.errno(errno, "writing \(file)") }
            let id = "outbox-\(keys.count + 1)"
            keys[message.idempotencyKey] = id
            return id
        }
    }
}

/// The lines of a text file ("" when it does not exist).
func readLines(_ path: String) -> [String] {
    guard let handle = fopen(path, "r") else { return [] }
    defer { fclose(handle) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&chunk, 1, chunk.count, handle)
        if n == 0 { break }
        bytes += chunk[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
}

/// A fresh file name under /tmp for one test.
func scratchFile(_ name: String) -> String {
    "/tmp/kinora-sdk-\(name)-\(getpid())-\(UInt32.random(in: 0 ... .max)).jsonl"
}

/// A channel whose provider never accepts: "busy" answers retryable with a delay, "gone"
/// permanent with the address gone. Correct answers both, which no case may count as failures.
final class RefusingChannel: NotifyPlugin {
    struct Settings: Decodable, Sendable { var answer: String }
    static let descriptor = PluginDescriptor(id: "org.test.notify-refusing", name: "Channel whose provider refuses")
    let answer: String
    init(settings: Settings, host: PluginHost) throws { answer = settings.answer }
    var addressKind: NotifyAddressKind { .webpush }
    func send(message: NotifyMessage, call: PluginCall) throws -> NotifyOutcome {
        if answer == "busy" { return .retryable(reason: "429 too many requests", retryAfter: 30) }
        if answer == "gone" { return .permanent(reason: "410 subscription expired", addressGone: true) }
        // Any other failure the kit reports as retryable, with this message.
        throw PluginError(.io, "connecting to the push service: Connection refused")
    }
}
