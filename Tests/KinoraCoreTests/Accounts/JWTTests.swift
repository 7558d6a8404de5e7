import Foundation
import KinoraCore
import Testing

@Suite struct JWTTests {
    /// RFC 7515 appendix A.1: the HS256 example, byte for byte.
    @Test func signsTheRFC7515Example() throws {
        let key = try #require(JWTSigner.decodeBase64URL("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"))
        let header = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
        let payload = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
        let token = JWTSigner(secret: key).sign(payload: try #require(JWTSigner.decodeBase64URL(Substring(payload))), header: header)
        #expect(token == header + "." + payload + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    }

    @Test func roundTripsAndRefusesTamperingOtherKeysExpiryAndNone() throws {
        let signer = JWTSigner(secret: Array(repeating: 7, count: 32))
        let now = Int(Date().timeIntervalSince1970)
        let claims = JWTSigner.Claims(sub: "abc", role: "viewer", iat: now, exp: now + 60, jti: "j1")
        let token = try signer.sign(claims)
        #expect(try signer.verify(token) == claims)

        var parts = token.split(separator: ".").map(String.init)
        let admin = JWTSigner.Claims(sub: "abc", role: "admin", iat: now, exp: now + 60, jti: "j1")
        parts[1] = JWTSigner.base64URL(Array(try JSONEncoder().encode(admin)))
        #expect(throws: JWTSigner.Failure.badSignature) { try signer.verify(parts.joined(separator: ".")) }
        #expect(throws: JWTSigner.Failure.badSignature) { try JWTSigner(secret: Array(repeating: 8, count: 32)).verify(token) }
        #expect(throws: JWTSigner.Failure.expired) { try signer.verify(token, now: Date().addingTimeInterval(120)) }
        let none = JWTSigner.base64URL(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
        #expect(throws: JWTSigner.Failure.malformed) { try signer.verify(none + "." + parts[1] + ".") }
        #expect(throws: JWTSigner.Failure.malformed) { try signer.verify("not-a-token") }
    }
}
