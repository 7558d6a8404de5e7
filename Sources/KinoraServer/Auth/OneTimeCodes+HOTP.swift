import HummingbirdOTP
import KinoraCore
import KinoraStore

/// HummingbirdOTP's HOTP and authenticator URI behind the core's ``OneTimeCodes`` (the OTP
/// library depends on Hummingbird, which the core does not import).
struct HOTPCodes: OneTimeCodes {
    func code(secret: String, counter: UInt64) -> String {
        let digits = String(HOTP(secret: secret, length: 6, hashFunction: .sha1).compute(counter: counter))
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    func authenticatorURI(secret: String, label: String, issuer: String) -> String {
        TOTP(secret: secret).createAuthenticatorURL(label: label, issuer: issuer)
    }
}

extension TwoFactor {
    init(key: [UInt8], database: KinoraDatabase) {
        self.init(key: key, database: database, codes: HOTPCodes())
    }

    /// Reads `<data-dir>/totp-key`, creating it (0600) on first start. Losing the file makes
    /// every enrolled secret unreadable: those accounts then log in with a recovery code.
    /// On PostgreSQL the key is the one every node shares (``SharedSecrets``).
    static func loadKey(dataDir: String, database: KinoraDatabase) throws -> [UInt8] {
        try SharedSecrets.key("totp-key", file: dataDir + "/totp-key", what: "the TOTP encryption key", database: database)
    }
}
