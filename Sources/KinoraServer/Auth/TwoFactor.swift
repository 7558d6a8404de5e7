import Crypto
import Foundation
import HummingbirdOTP
import KinoraStore

/// TOTP two-factor authentication (RFC 6238: 30-second steps, 6 digits, HMAC-SHA1, which is
/// what authenticator apps assume) with one-time recovery codes. Secrets are sealed with
/// AES-GCM under a key kept in `<data-dir>/totp-key`, so a copied database alone reveals none.
struct TwoFactor: Sendable {
    /// The AES-256 key's bytes (SymmetricKey is not Sendable; one is made per use).
    let key: [UInt8]
    let database: KinoraDatabase

    static let issuer = "Kinora"
    static let recoveryCodeCount = 10

    /// Reads `<data-dir>/totp-key`, creating it (0600) on first start. Losing the file makes
    /// every enrolled secret unreadable: those accounts then log in with a recovery code.
    static func loadKey(dataDir: String) throws -> [UInt8] {
        try SecretFile.loadOrCreateKey(dataDir + "/totp-key", what: "the TOTP encryption key")
    }

    /// What a login's `totp` field amounts to for an account.
    enum Verdict: Equatable {
        /// The account has no TOTP enabled: nothing to check.
        case notEnrolled
        case accepted
        /// TOTP is enabled and no code came.
        case required
        /// Wrong, expired or already used code, or an unknown or used recovery code.
        case rejected
    }

    /// Checks a login's second factor: a 6-digit code within one step of now, newer than the
    /// last one used, or else a recovery code, which is then spent.
    func verify(_ presented: String?, userID: String, now: Date = Date()) throws -> Verdict {
        guard let record = try database.totp.find(userID: userID), record.enabled else { return .notEnrolled }
        guard let presented, !presented.isEmpty else { return .required }
        let digits = presented.filter { !$0.isWhitespace }
        if digits.count == 6, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) {
            guard let secret = try? open(record.sealedSecret, userID: userID),
                  let step = Self.matchingStep(code: digits, secret: secret, now: now) else { return .rejected }
            return try database.totp.useStep(userID: userID, step: step) ? .accepted : .rejected
        }
        let used = try database.totp.useRecoveryCode(userID: userID, hash: Self.recoveryCodeHash(presented, userID: userID))
        return used ? .accepted : .rejected
    }

    // MARK: Codes

    /// The time step (of the previous, current and next) whose code is `code`; nil when none.
    static func matchingStep(code: String, secret: String, now: Date) -> Int64? {
        let current = Int64(now.timeIntervalSince1970) / 30
        let otp = HOTP(secret: secret, length: 6, hashFunction: .sha1)
        for step in [current, current - 1, current + 1] where step > 0 {
            let expected = String(otp.compute(counter: UInt64(step))).leftPadded(to: 6)
            if constantTimeEquals(expected, code) { return step }
        }
        return nil
    }

    /// A new secret: 32 characters from [A-Za-z0-9] (190 bits). HummingbirdOTP keys its HMAC
    /// with the secret's UTF-8 bytes, so the secret is text; apps get those bytes in base32.
    static func newSecret() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var rng = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet[Int(rng.next(upperBound: UInt(alphabet.count)))] })
    }

    /// `otpauth://totp/Kinora:<username>?secret=<base32>&issuer=Kinora`, for a QR code.
    static func authenticatorURI(secret: String, username: String) -> String {
        TOTP(secret: secret).createAuthenticatorURL(label: "\(issuer):\(username)", issuer: issuer)
    }

    /// The base32 secret inside an authenticator URI, for typing it in by hand.
    static func base32Secret(inURI uri: String) -> String? {
        URLComponents(string: uri)?.queryItems?.first { $0.name == "secret" }?.value
    }

    /// Ten codes of 16 characters from a 32-letter alphabet without look-alikes (80 bits
    /// each), grouped by four: `abcd-efgh-jkmn-pqrs`.
    static func newRecoveryCodes() -> [String] {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        var rng = SystemRandomNumberGenerator()
        return (0..<recoveryCodeCount).map { _ in
            let letters = (0..<16).map { _ in alphabet[Int(rng.next(upperBound: UInt(alphabet.count)))] }
            return stride(from: 0, to: 16, by: 4).map { String(letters[$0..<$0 + 4]) }.joined(separator: "-")
        }
    }

    /// Stored form of a recovery code: SHA-256 over the account id and the code without case,
    /// dashes or spaces, so a code typed as shown, or not, still matches.
    static func recoveryCodeHash(_ code: String, userID: String) -> String {
        let normalized = code.lowercased().filter { $0 != "-" && !$0.isWhitespace }
        return Accounts.hashRefreshToken(userID + ":" + normalized)
    }

    // MARK: Sealing

    /// AES-GCM with the account id as associated data: a sealed secret copied onto another
    /// account's row does not open.
    func seal(_ secret: String, userID: String) throws -> Data {
        let box = try AES.GCM.seal(Array(secret.utf8), using: SymmetricKey(data: key), authenticating: Array(userID.utf8))
        guard let combined = box.combined else { throw SetupError("AES-GCM gave no combined form") }
        return combined
    }

    func open(_ sealed: Data, userID: String) throws -> String {
        let box = try AES.GCM.SealedBox(combined: sealed)
        return String(decoding: try AES.GCM.open(box, using: SymmetricKey(data: key), authenticating: Array(userID.utf8)), as: UTF8.self)
    }
}

/// Compares without stopping at the first difference, so timing says nothing about the match.
private func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var difference: UInt8 = 0
    for (p, q) in zip(x, y) { difference |= p ^ q }
    return difference == 0
}
