import Crypto
import Foundation
import KinoraStore

/// The one-time-password arithmetic two-factor authentication rests on (RFC 4226/6238 HOTP
/// codes and the authenticator URI), supplied by the daemon from its OTP library.
public protocol OneTimeCodes: Sendable {
    /// The 6-digit code of `secret` at `counter` (a 30-second step), zero-padded.
    func code(secret: String, counter: UInt64) -> String
    /// `otpauth://totp/<label>?secret=<base32>&issuer=<issuer>`, for a QR code.
    func authenticatorURI(secret: String, label: String, issuer: String) -> String
}

/// TOTP two-factor authentication (RFC 6238: 30-second steps, 6 digits, HMAC-SHA1, which is
/// what authenticator apps assume) with one-time recovery codes. Secrets are sealed with
/// AES-GCM under a key kept in `<data-dir>/totp-key`, so a copied database alone reveals none.
public struct TwoFactor: SecondFactorChecking {
    /// The AES-256 key's bytes (SymmetricKey is not Sendable; one is made per use).
    public let key: [UInt8]
    public let database: KinoraDatabase
    public let codes: any OneTimeCodes

    public static let issuer = "Kinora"
    public static let recoveryCodeCount = 10

    public init(key: [UInt8], database: KinoraDatabase, codes: any OneTimeCodes) {
        self.key = key
        self.database = database
        self.codes = codes
    }

    /// Checks a login's second factor: a 6-digit code within one step of now, newer than the
    /// last one used, or else a recovery code, which is then spent.
    public func verify(_ presented: String?, userID: String, now: Date = Date()) throws -> SecondFactorVerdict {
        guard let record = try database.totp.find(userID: userID), record.enabled else { return .notEnrolled }
        guard let presented, !presented.isEmpty else { return .required }
        let digits = presented.filter { !$0.isWhitespace }
        if digits.count == 6, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) {
            guard let secret = try? open(record.sealedSecret, userID: userID),
                let step = matchingStep(code: digits, secret: secret, now: now)
            else { return .rejected }
            return try database.totp.useStep(userID: userID, step: step) ? .accepted : .rejected
        }
        let used = try database.totp.useRecoveryCode(userID: userID, hash: Secrets.recoveryCodeHash(presented, userID: userID))
        return used ? .accepted : .rejected
    }

    // MARK: Enrolment

    /// A new secret for `user`, pending until a first code confirms it; it replaces an earlier
    /// pending one and is refused while TOTP is on. Answers the base32 secret and its URI.
    public func enrol(_ user: UserRecord) throws -> (secret: String, uri: String) {
        let secret = Secrets.newTOTPSecret()
        let uri = codes.authenticatorURI(secret: secret, label: "\(Self.issuer):\(user.username)", issuer: Self.issuer)
        guard try database.totp.startEnrolment(TOTPRecord(userID: user.id, sealedSecret: try seal(secret, userID: user.id))) else {
            throw AccountError.totpEnabled
        }
        return (Self.base32Secret(inURI: uri) ?? "", uri)
    }

    /// The first code from the app turns TOTP on; answers the recovery codes, shown once.
    public func confirm(_ user: UserRecord, code: String, now: Date = Date()) throws -> [String] {
        guard let record = try database.totp.find(userID: user.id) else { throw AccountError.noTotpEnrolment }
        guard !record.enabled else { throw AccountError.totpEnabled }
        guard let step = matchingStep(code: code.filter { !$0.isWhitespace }, secret: try open(record.sealedSecret, userID: user.id), now: now) else {
            throw AccountError.enrolmentCodeMismatch
        }
        let recovery = Secrets.newRecoveryCodes(count: Self.recoveryCodeCount)
        guard
            try database.totp.enable(userID: user.id, step: step, recoveryCodeHashes: recovery.map { Secrets.recoveryCodeHash($0, userID: user.id) })
        else {
            throw AccountError.totpEnabled
        }
        return recovery
    }

    public func disable(_ user: UserRecord) throws {
        guard try database.totp.disable(userID: user.id) else { throw AccountError.totpNotEnabled }
    }

    /// New recovery codes; the old ones stop working.
    public func regenerateRecoveryCodes(_ user: UserRecord) throws -> [String] {
        let recovery = Secrets.newRecoveryCodes(count: Self.recoveryCodeCount)
        guard try database.totp.replaceRecoveryCodes(userID: user.id, hashes: recovery.map { Secrets.recoveryCodeHash($0, userID: user.id) }) else {
            throw AccountError.totpNotEnabled
        }
        return recovery
    }

    // MARK: Codes

    /// The time step (of the previous, current and next) whose code is `code`; nil when none.
    public func matchingStep(code: String, secret: String, now: Date) -> Int64? {
        let current = Int64(now.timeIntervalSince1970) / 30
        for step in [current, current - 1, current + 1] where step > 0 {
            if constantTimeEquals(codes.code(secret: secret, counter: UInt64(step)), code) { return step }
        }
        return nil
    }

    /// The base32 secret inside an authenticator URI, for typing it in by hand.
    public static func base32Secret(inURI uri: String) -> String? {
        URLComponents(string: uri)?.queryItems?.first { $0.name == "secret" }?.value
    }

    // MARK: Sealing

    /// AES-GCM with the account id as associated data: a sealed secret copied onto another
    /// account's row does not open.
    public func seal(_ secret: String, userID: String) throws -> Data {
        let box = try AES.GCM.seal(Array(secret.utf8), using: SymmetricKey(data: key), authenticating: Array(userID.utf8))
        guard let combined = box.combined else { throw Refused(.internalError, "AES-GCM gave no combined form") }
        return combined
    }

    public func open(_ sealed: Data, userID: String) throws -> String {
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
