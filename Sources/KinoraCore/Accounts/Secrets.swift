import Crypto

/// Every secret the accounts hand out, made in one place from the system's CSPRNG: refresh
/// tokens, session cookies and CSRF secrets, invitation codes' and reset tokens' hashes, API
/// keys, TOTP secrets and recovery codes, generated passwords. Ids that are not secrets come
/// from `RandomID`.
public enum Secrets {
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        return (0..<count).map { _ in rng.next() as UInt8 }
    }

    /// 32 random bytes as base64url, and the SHA-256 (hex) that is stored instead: refresh
    /// tokens, session cookies, reset tokens and API keys have this shape.
    public static func newToken() -> (token: String, hash: String) {
        let token = JWTSigner.base64URL(randomBytes(32))
        return (token, hash(token))
    }

    /// The stored form of a token: SHA-256 as lower-case hex.
    public static func hash(_ token: String) -> String {
        hex(Array(SHA256.hash(data: Array(token.utf8))))
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { byte in
            let text = String(byte, radix: 16)
            return text.count == 1 ? "0" + text : text
        }.joined()
    }

    /// `count` characters drawn uniformly from `alphabet`.
    public static func randomText(_ count: Int, from alphabet: [Character]) -> String {
        var rng = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int(rng.next(upperBound: UInt(alphabet.count)))] })
    }

    // MARK: CSRF

    /// The CSRF token as handed out: a fresh random mask, then the session's secret XORed
    /// with it. Every answer carries a different string (nothing repeats for a compression
    /// side channel to find) while every copy, in every tab, stays valid for the session.
    public static func maskCSRF(_ secret: String) -> String {
        let bytes = JWTSigner.decodeBase64URL(secret[...]) ?? []
        let mask = randomBytes(bytes.count)
        return JWTSigner.base64URL(mask + zip(mask, bytes).map { $0 ^ $1 })
    }

    /// Whether a masked token unmasks to `secret`, in constant time.
    public static func csrfMatches(_ presented: String, secret: String) -> Bool {
        guard let expected = JWTSigner.decodeBase64URL(secret[...]), !expected.isEmpty,
            let masked = JWTSigner.decodeBase64URL(presented[...]), masked.count == 2 * expected.count
        else { return false }
        var difference: UInt8 = 0
        for index in expected.indices { difference |= masked[index] ^ masked[expected.count + index] ^ expected[index] }
        return difference == 0
    }

    // MARK: Two-factor

    /// A new TOTP secret: 32 characters from [A-Za-z0-9] (190 bits). The OTP library keys its
    /// HMAC with the secret's UTF-8 bytes, so the secret is text; apps get those bytes in base32.
    public static func newTOTPSecret() -> String {
        randomText(32, from: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
    }

    /// `count` codes of 16 characters from a 32-letter alphabet without look-alikes (80 bits
    /// each), grouped by four: `abcd-efgh-jkmn-pqrs`.
    public static func newRecoveryCodes(count: Int) -> [String] {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        return (0..<count).map { _ in
            let letters = Array(randomText(16, from: alphabet))
            return stride(from: 0, to: 16, by: 4).map { String(letters[$0..<$0 + 4]) }.joined(separator: "-")
        }
    }

    /// Stored form of a recovery code: SHA-256 over the account id and the code without case,
    /// dashes or spaces, so a code typed as shown, or not, still matches.
    public static func recoveryCodeHash(_ code: String, userID: String) -> String {
        let normalized = code.lowercased().filter { $0 != "-" && !$0.isWhitespace }
        return hash(userID + ":" + normalized)
    }

    /// A strong random password: 20 characters from a 56-letter alphabet without look-alikes (116 bits).
    public static func generatePassword() -> String {
        randomText(20, from: Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"))
    }
}
