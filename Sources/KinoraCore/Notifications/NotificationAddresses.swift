import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraStore

/// Where an account can be reached besides its mail: its browsers' Web Push subscriptions and
/// a phone number, verified by a code texted to it before any message goes there.
public struct NotificationAddresses: Sendable {
    let database: KinoraDatabase
    let registry: PluginRegistry

    public init(database: KinoraDatabase, registry: PluginRegistry) {
        self.database = database
        self.registry = registry
    }

    /// How long a texted code works, and how many wrong tries it survives.
    public static let codeLifetime: TimeInterval = 600
    public static let codeAttempts = 5

    // MARK: Web Push

    /// Stores a browser's subscription (`{"endpoint", "keys": {"p256dh", "auth"}}`, as
    /// `PushSubscription.toJSON()` gives it). Throws ``InvalidField`` (422) for an endpoint that
    /// is not https (plain http only to this machine, for development) or keys of the wrong size.
    public func addPush(_ me: Profile, _ body: [String: JSONValue], userAgent: String?) throws -> PushSubscription {
        try BodyFields.refuseUnknownKeys(body, allowed: ["endpoint", "keys", "expirationTime"])
        guard let endpoint = body["endpoint"]?.stringValue, endpoint.utf8.count <= 2048, let url = URL(string: endpoint), let host = url.host,
            url.scheme == "https" || (url.scheme == "http" && ["127.0.0.1", "localhost", "::1"].contains(host))
        else {
            throw InvalidField("endpoint", "endpoint must be the push service's https URL")
        }
        let keys = body["keys"]?.objectValue ?? [:]
        guard let p256dh = keys["p256dh"]?.stringValue, let point = JWTSigner.decodeBase64URL(Substring(p256dh)), point.count == 65, point.first == 4
        else {
            throw InvalidField("keys.p256dh", "keys.p256dh must be the browser's P-256 public key: 65 bytes, uncompressed, base64url")
        }
        guard let auth = keys["auth"]?.stringValue, JWTSigner.decodeBase64URL(Substring(auth))?.count == 16 else {
            throw InvalidField("keys.auth", "keys.auth must be the browser's 16-byte auth secret, base64url")
        }
        if try database.addresses.pushSubscriptions(userID: me.id).count >= 20 {
            throw InvalidField("endpoint", "an account keeps at most 20 browsers subscribed; remove one first")
        }
        return try database.addresses.addPush(
            PushSubscription(
                id: RandomID.make(), userID: me.id, endpoint: endpoint, p256dh: p256dh, auth: auth, userAgent: userAgent.map { String($0.prefix(512)) },
                createdAt: Date()))
    }

    public func pushSubscriptions(_ me: Profile) throws -> [PushSubscription] {
        try database.addresses.pushSubscriptions(userID: me.id)
    }

    public func removePush(_ me: Profile, id: String) throws {
        guard try database.addresses.removePush(id: id, userID: me.id) else { throw Refused(.notFound, "no push subscription \(id)") }
    }

    // MARK: Phone

    /// E.164: a plus, a country code that does not start with 0, 8 to 15 digits in all.
    public static func isE164(_ text: String) -> Bool {
        let digits = text.dropFirst()
        return text.first == "+" && (8...15).contains(digits.count) && digits.first != "0" && digits.allSatisfy { ("0"..."9").contains($0) }
    }

    /// Texts a six-digit code to `number` through the first `phone` channel; the number
    /// becomes the account's once the code comes back (``confirmPhone(_:code:)``).
    /// Returns when the code expires.
    public func startPhone(_ me: Profile, _ body: [String: JSONValue], requestID: String?) async throws -> Date {
        try BodyFields.refuseUnknownKeys(body, allowed: ["number"])
        guard let number = body["number"]?.stringValue, Self.isE164(number) else {
            throw InvalidField("number", "number must be in E.164 form: a plus, the country code and the number, such as +14155550123")
        }
        guard let channel = registry.notifyChannels.first(where: { $0.addressKind == "phone" }) else {
            throw Refused(.notFound, "this server sends no text messages (no kinora.notify/1 instance delivers to phones)")
        }
        let code = Secrets.randomText(6, from: Array("0123456789"))
        let expires = Date().addingTimeInterval(Self.codeLifetime)
        try database.addresses.startPhoneVerification(userID: me.id, phone: number, codeHash: Secrets.hash(me.id + ":" + code), expiresAt: expires)
        let message: [String: Any] = [
            "to": number, "subject": "Kinora code", "text": "Your Kinora code is \(code). It works for 10 minutes.",
            "idempotency_key": "account.phone_code-\(RandomID.make())", "event": "account.phone_code", "language": "en",
            "data": [:] as [String: String], "headers": [:] as [String: String],
        ]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: message, options: [.sortedKeys]), as: UTF8.self)
        switch await channel.send(message: json, requestID: requestID, deadline: .now + .seconds(30)) {
        case .delivered: return expires
        case .retryable(let reason, _), .permanent(let reason, _):
            throw Refused(.deliveryFailed, "the code could not be texted to \(number): \(reason)")
        }
    }

    /// Checks the texted code; the number becomes the account's, verified.
    public func confirmPhone(_ me: Profile, _ body: [String: JSONValue]) throws -> String {
        try BodyFields.refuseUnknownKeys(body, allowed: ["code"])
        guard let code = body["code"]?.stringValue, code.count == 6, code.allSatisfy({ ("0"..."9").contains($0) }) else {
            throw InvalidField("code", "code must be the six digits texted to the number")
        }
        guard let pending = try database.addresses.phoneCode(userID: me.id), pending.expiresAt > Date() else {
            throw InvalidField("code", "no code is waiting, or it expired: ask for a new one")
        }
        guard pending.attempts < Self.codeAttempts else { throw Refused(.tooManyAttempts, "too many wrong codes: ask for a new one") }
        guard Secrets.hash(me.id + ":" + code) == pending.codeHash else {
            try database.addresses.countPhoneAttempt(userID: me.id)
            throw InvalidField("code", "the code is not the one texted")
        }
        try database.addresses.confirmPhone(userID: me.id, phone: pending.phone)
        return pending.phone
    }

    public func phone(_ me: Profile) throws -> (verified: String?, pending: String?) {
        (try database.addresses.verifiedPhone(userID: me.id), try database.addresses.phoneCode(userID: me.id).flatMap { $0.expiresAt > Date() ? $0.phone : nil })
    }

    public func removePhone(_ me: Profile) throws {
        try database.addresses.removePhone(userID: me.id)
    }

    /// The started channels and what each tells clients (``NotifyClient/info``).
    public var channels: [(name: String, kind: String, info: JSONValue)] {
        registry.notifyChannels.map { ($0.name, $0.addressKind, $0.info) }
    }
}
