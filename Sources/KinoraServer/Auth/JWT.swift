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
                  header["alg"] as? String == "HS256" else { throw .malformed }
        }
        let input = Array(parts[0].utf8) + [UInt8(ascii: ".")] + Array(parts[1].utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: input, using: key) else { throw .badSignature }
        guard let claims = try? JSONDecoder().decode(Claims.self, from: Data(payload)) else { throw .malformed }
        guard Double(claims.exp) > now.timeIntervalSince1970 else { throw .expired }
        return claims
    }

    public static func base64URL(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    public static func decodeBase64URL(_ text: Substring) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map(Array.init)
    }
}
