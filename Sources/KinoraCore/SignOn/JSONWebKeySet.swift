import Crypto
import KinoraConfiguration
import KinoraHost
import _CryptoExtras

/// A provider's signing key from its JWKS (RFC 7517): RSA (RS256/384/512) or P-256 (ES256).
struct JSONWebKey: Sendable {
    enum Material: Sendable {
        case rsa(_RSA.Signing.PublicKey)
        /// x ‖ y, 64 bytes (P256's key type is made per check: it is not Sendable).
        case p256([UInt8])
    }

    let kid: String?
    /// The algorithm the key is pinned to, when the JWKS says.
    let alg: String?
    let material: Material

    /// The algorithms an ID token may use; `none` and the HMAC family never.
    static let algorithms: Set<String> = ["RS256", "RS384", "RS512", "ES256"]

    func canVerify(_ algorithm: String) -> Bool {
        if let alg, alg != algorithm { return false }
        switch material {
        case .rsa: return algorithm.hasPrefix("RS")
        case .p256: return algorithm == "ES256"
        }
    }

    func isValid(signature: [UInt8], for input: [UInt8], algorithm: String) -> Bool {
        switch material {
        case .rsa(let key):
            let signature = _RSA.Signing.RSASignature(rawRepresentation: signature)
            // JWS RS* is RSASSA-PKCS1-v1_5 (RFC 7518 §3.3), which _CryptoExtras names "insecure"
            // only to steer new designs towards PSS.
            switch algorithm {
            case "RS256": return key.isValidSignature(signature, for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5)
            case "RS384": return key.isValidSignature(signature, for: SHA384.hash(data: input), padding: .insecurePKCS1v1_5)
            case "RS512": return key.isValidSignature(signature, for: SHA512.hash(data: input), padding: .insecurePKCS1v1_5)
            default: return false
            }
        case .p256(let point):
            // JWS ES256 signatures are r ‖ s (RFC 7518 §3.4), the raw representation.
            guard algorithm == "ES256", signature.count == 64,
                let key = try? P256.Signing.PublicKey(rawRepresentation: point),
                let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature)
            else { return false }
            return key.isValidSignature(ecdsa, for: input)
        }
    }
}

/// The usable signing keys of a JWKS document; keys of other types, curves or uses, and RSA
/// keys under 2048 bits, are left out rather than failing the whole set.
struct JSONWebKeySet: Sendable {
    let keys: [JSONWebKey]

    init(keys: [JSONWebKey]) { self.keys = keys }

    init?(_ document: JSONValue) {
        guard let list = document["keys"]?.arrayValue else { return nil }
        keys = list.compactMap(Self.key)
    }

    /// Keys that may have signed a token with this header: the one named by `kid`, or, without
    /// a `kid`, every key that can verify the algorithm.
    func candidates(kid: String?, algorithm: String) -> [JSONWebKey] {
        keys.filter { (kid == nil || $0.kid == kid) && $0.canVerify(algorithm) }
    }

    static func key(_ jwk: JSONValue) -> JSONWebKey? {
        if let use = jwk["use"]?.stringValue, use != "sig" { return nil }
        let kid = jwk["kid"]?.stringValue
        let alg = jwk["alg"]?.stringValue
        switch jwk["kty"]?.stringValue {
        case "RSA":
            guard let n = jwk["n"]?.stringValue.flatMap({ JWTSigner.decodeBase64URL($0[...]) }),
                let e = jwk["e"]?.stringValue.flatMap({ JWTSigner.decodeBase64URL($0[...]) }),
                let key = try? _RSA.Signing.PublicKey(n: n, e: e), key.keySizeInBits >= 2048
            else { return nil }
            return JSONWebKey(kid: kid, alg: alg, material: .rsa(key))
        case "EC":
            guard jwk["crv"]?.stringValue == "P-256",
                let x = jwk["x"]?.stringValue.flatMap({ JWTSigner.decodeBase64URL($0[...]) }), x.count == 32,
                let y = jwk["y"]?.stringValue.flatMap({ JWTSigner.decodeBase64URL($0[...]) }), y.count == 32,
                (try? P256.Signing.PublicKey(rawRepresentation: x + y)) != nil
            else { return nil }
            return JSONWebKey(kid: kid, alg: alg, material: .p256(x + y))
        default:
            return nil
        }
    }
}
