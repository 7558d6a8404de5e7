import Foundation
import KinoraConfiguration
import KinoraHost

/// An ID token split into its parts; nothing in it is trusted until ``IDToken/verify``.
struct IDToken: Sendable {
    let header: JSONValue
    let payload: JSONValue
    let signingInput: [UInt8]
    let signature: [UInt8]

    var algorithm: String? { header["alg"]?.stringValue }
    var kid: String? { header["kid"]?.stringValue }

    init(_ token: String) throws(OIDCError) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = JWTSigner.decodeBase64URL(parts[0]), let payload = JWTSigner.decodeBase64URL(parts[1]),
            let signature = JWTSigner.decodeBase64URL(parts[2]),
            let headerJSON = try? JSONValue(parsing: String(decoding: header, as: UTF8.self)),
            let payloadJSON = try? JSONValue(parsing: String(decoding: payload, as: UTF8.self)),
            headerJSON.objectValue != nil, payloadJSON.objectValue != nil
        else {
            throw .tokenInvalid("the ID token is not a signed JWT (three base64url parts of JSON)")
        }
        self.header = headerJSON
        self.payload = payloadJSON
        signingInput = Array(parts[0].utf8) + [UInt8(ascii: ".")] + Array(parts[1].utf8)
        self.signature = signature
    }

    /// What the checks of OpenID Connect Core §3.1.3.7 expect.
    struct Expectation: Sendable {
        var issuer: String
        var clientID: String
        var nonce: String
        var now = Date()
        /// Clock skew tolerated between us and the provider.
        var leeway: TimeInterval = 60
    }

    /// Checks the claims (the signature is checked by the provider, which holds the keys).
    func verifyClaims(_ expected: Expectation) throws(OIDCError) -> IDTokenClaims {
        let now = expected.now.timeIntervalSince1970
        guard payload["iss"]?.stringValue == expected.issuer else {
            throw .tokenInvalid("the ID token's issuer is not \(expected.issuer)")
        }
        let audiences = payload["aud"]?.stringValue.map { [$0] } ?? payload["aud"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard audiences.contains(expected.clientID) else { throw .tokenInvalid("the ID token is not meant for this client (aud)") }
        if let azp = payload["azp"] {
            guard azp.stringValue == expected.clientID else { throw .tokenInvalid("the ID token was issued to another party (azp)") }
        } else if audiences.count > 1 {
            throw .tokenInvalid("the ID token names several audiences but no authorized party (azp)")
        }
        guard let exp = payload["exp"]?.doubleValue, let iat = payload["iat"]?.doubleValue else {
            throw .tokenInvalid("the ID token lacks exp or iat")
        }
        guard exp + expected.leeway > now else { throw .tokenInvalid("the ID token has expired") }
        guard iat - expected.leeway <= now else { throw .tokenInvalid("the ID token was issued in the future (iat)") }
        if let nbf = payload["nbf"]?.doubleValue, nbf - expected.leeway > now {
            throw .tokenInvalid("the ID token is not valid yet (nbf)")
        }
        guard let nonce = payload["nonce"]?.stringValue, constantTimeEqual(nonce, expected.nonce) else {
            throw .tokenInvalid("the ID token's nonce is not the one this login sent")
        }
        guard let subject = payload["sub"]?.stringValue, (1...255).contains(subject.utf8.count) else {
            throw .tokenInvalid("the ID token has no valid subject (sub)")
        }
        let verified = payload["email_verified"]?.boolValue ?? (payload["email_verified"]?.stringValue == "true")
        return IDTokenClaims(
            subject: subject, email: payload["email"]?.stringValue, emailVerified: verified,
            preferredUsername: payload["preferred_username"]?.stringValue, name: payload["name"]?.stringValue)
    }

    private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// The identity an ID token vouches for, once verified.
struct IDTokenClaims: Sendable, Equatable {
    var subject: String
    var email: String?
    /// `email_verified` was true (some providers send the string "true").
    var emailVerified: Bool
    var preferredUsername: String?
    var name: String?
}
