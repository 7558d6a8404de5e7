import Crypto
import Foundation

/// The token of a one-click unsubscribe link (RFC 8058): who stops hearing of which event on
/// which channel kind, signed with the cluster's key so that it works without signing in and
/// cannot be made for someone else. It expires, as a link in an old mail should.
public struct UnsubscribeToken: Sendable, Equatable {
    public var userID: String
    public var event: String
    public var channel: String
    public var expires: Date

    public init(userID: String, event: String, channel: String, expires: Date) {
        self.userID = userID
        self.event = event
        self.channel = channel
        self.expires = expires
    }

    /// How long a link stays good: a year, as mail is kept.
    public static let lifetime: TimeInterval = 365 * 86400

    /// `payload.signature`, both base64url.
    public func sealed(key: [UInt8]) -> String {
        let payload = JWTSigner.base64URL(Array("\(userID)|\(event)|\(channel)|\(Int(expires.timeIntervalSince1970))".utf8))
        return payload + "." + Self.signature(payload, key: key)
    }

    /// The token `text` holds, nil when it is forged, damaged or expired.
    public static func open(_ text: String, key: [UInt8], now: Date = Date()) -> UnsubscribeToken? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, text.count < 1024 else { return nil }
        let expected = signature(String(parts[0]), key: key)
        // Compared in constant time: the signature is a secret until it is right.
        guard Array(expected.utf8).count == parts[1].utf8.count,
            zip(expected.utf8, parts[1].utf8).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0,
            let bytes = JWTSigner.decodeBase64URL(parts[0])
        else { return nil }
        let fields = String(decoding: bytes, as: UTF8.self).split(separator: "|", omittingEmptySubsequences: false)
        guard fields.count == 4, let seconds = Int(fields[3]) else { return nil }
        let token = UnsubscribeToken(
            userID: String(fields[0]), event: String(fields[1]), channel: String(fields[2]), expires: Date(timeIntervalSince1970: Double(seconds)))
        return token.expires > now ? token : nil
    }

    static func signature(_ payload: String, key: [UInt8]) -> String {
        JWTSigner.base64URL(Array(HMAC<SHA256>.authenticationCode(for: Array(("unsubscribe." + payload).utf8), using: SymmetricKey(data: key))))
    }
}
