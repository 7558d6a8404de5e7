import Crypto
import Foundation

/// HS256 JSON Web Tokens (RFC 7519) on swift-crypto's HMAC: only what the access tokens
/// need. The header must say `HS256`; any other algorithm (`none` included) is refused.
public struct JWTSigner: Sendable {
    // Bytes, not SymmetricKey (not Sendable); a key is made per call, which costs nothing.
    let secret: [UInt8]
    var key: SymmetricKey { SymmetricKey(data: secret) }

    public init(secret: [UInt8]) { self.secret = secret }

    /// The claims of an access token.
    public struct Claims: Codable, Sendable, Equatable {
        public var sub: String
        public var role: String
        public var iat: Int
        public var exp: Int
        public var jti: String

        public init(sub: String, role: String, iat: Int, exp: Int, jti: String) {
            self.sub = sub
            self.role = role
            self.iat = iat
            self.exp = exp
            self.jti = jti
        }
    }

    public static let header = base64URL(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    public func sign(_ claims: Claims) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return sign(payload: Array(try encoder.encode(claims)))
    }

    /// `header.payload.signature` over an already-encoded payload (also for test vectors).
    public func sign(payload: [UInt8], header: String = JWTSigner.header) -> String {
        let input = header + "." + Self.base64URL(payload)
        let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: key)
        return input + "." + Self.base64URL(Array(mac))
    }

    public enum Failure: Error, Equatable { case malformed, badSignature, expired }

    /// Checks the signature (constant time), the algorithm and the expiry.
    public func verify(_ token: String, now: Date = Date()) throws(Failure) -> Claims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Self.decodeBase64URL(parts[1]), let signature = Self.decodeBase64URL(parts[2]) else { throw .malformed }
        // Every token this daemon issues has exactly its own header: compared as text, it
        // needs no JSON parse on the path of every authenticated request.
        if parts[0] != Self.header {
            guard let headerBytes = Self.decodeBase64URL(parts[0]),
                let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any],
                header["alg"] as? String == "HS256"
            else { throw .malformed }
        }
        let input = Array(parts[0].utf8) + [UInt8(ascii: ".")] + Array(parts[1].utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: input, using: key) else { throw .badSignature }
        guard let claims = Claims(flatJSON: payload) ?? (try? JSONDecoder().decode(Claims.self, from: Data(payload))) else { throw .malformed }
        guard Double(claims.exp) > now.timeIntervalSince1970 else { throw .expired }
        return claims
    }

    public static func base64URL(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// Unpadded base64url (RFC 4648 §5) by table: `Data(base64Encoded:)` needs the text
    /// rewritten to the standard alphabet and padded first, which cost more than the HMAC.
    public static func decodeBase64URL(_ text: Substring) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in text.utf8 {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "_"): value = 63
            default: return nil
            }
            buffer = buffer << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        // A lone 6-bit group cannot end a valid encoding; leftover bits must be zero.
        guard bits < 6, buffer & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return out
    }
}
