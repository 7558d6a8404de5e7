import Foundation

/// An account's TOTP secret, sealed by the caller (the store never sees it in clear).
public struct TOTPRecord: Codable, Sendable, Hashable {
    public static let databaseTableName = "totp_secrets"

    public var userID: String
    public var sealedSecret: Data
    /// False while the enrolment waits for its first code.
    public var enabled: Bool
    /// The newest time step a code was accepted for; codes of this step or older are refused.
    public var lastStep: Int64
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case enabled
        case userID = "user_id", sealedSecret = "sealed_secret", lastStep = "last_step", createdAt = "created_at"
    }

    public init(userID: String, sealedSecret: Data, now: Date = Date()) {
        self.userID = userID
        self.sealedSecret = sealedSecret
        enabled = false
        lastStep = 0
        createdAt = now
    }
}

/// Every query on the totp_secrets and totp_recovery_codes tables. Runs on both backends;
/// every check-and-change is one conditional statement, so nodes sharing a database cannot
/// both accept one code.
public struct TOTPRepository: Sendable {
    let db: any SQLDatabase

    public func find(userID: String) throws -> TOTPRecord? {
        try db.read { try $0.fetchOne(TOTPRecord.self, "SELECT * FROM totp_secrets WHERE user_id = ?", [userID]) }
    }

    public func isEnabled(userID: String) throws -> Bool {
        try db.read { try $0.scalar(Bool.self, "SELECT enabled FROM totp_secrets WHERE user_id = ?", [userID]) } ?? false
    }

    /// Stores a pending secret, replacing an earlier pending one. Returns false, changing
    /// nothing, when TOTP is already enabled for the account.
    public func startEnrolment(_ record: TOTPRecord) throws -> Bool {
        try db.write { db in
            try db.execute(
                """
                INSERT INTO totp_secrets (user_id, sealed_secret, enabled, last_step, created_at) VALUES (?, ?, ?, 0, ?)
                ON CONFLICT (user_id) DO UPDATE SET sealed_secret = excluded.sealed_secret, enabled = excluded.enabled,
                    last_step = 0, created_at = excluded.created_at
                WHERE totp_secrets.enabled = ?
                """, [record.userID, Array(record.sealedSecret), false, record.createdAt, false])
        } == 1
    }

    /// Turns a pending enrolment on, with `step` as the last step used and these recovery
    /// codes. Returns false when there was no pending enrolment.
    public func enable(userID: String, step: Int64, recoveryCodeHashes: [String]) throws -> Bool {
        try db.write { db in
            let changed = try db.execute(
                "UPDATE totp_secrets SET enabled = ?, last_step = ? WHERE user_id = ? AND enabled = ?", [true, step, userID, false])
            guard changed == 1 else { return false }
            try Self.replaceCodes(db, userID: userID, hashes: recoveryCodeHashes)
            return true
        }
    }

    /// Records `step` as used when it is newer than the last one used; false means the code was
    /// already used (or an older one was), or TOTP is not enabled.
    public func useStep(userID: String, step: Int64) throws -> Bool {
        try db.write {
            try $0.execute("UPDATE totp_secrets SET last_step = ? WHERE user_id = ? AND enabled = ? AND last_step < ?", [step, userID, true, step])
        } == 1
    }

    /// Consumes a recovery code: true once, then never again.
    public func useRecoveryCode(userID: String, hash: String) throws -> Bool {
        try db.write { try $0.execute("DELETE FROM totp_recovery_codes WHERE user_id = ? AND code_hash = ?", [userID, hash]) } == 1
    }

    /// Replaces every recovery code of an enabled account; false when TOTP is not enabled.
    public func replaceRecoveryCodes(userID: String, hashes: [String]) throws -> Bool {
        try db.write { db in
            guard try db.scalar(Bool.self, "SELECT enabled FROM totp_secrets WHERE user_id = ?", [userID]) == true else { return false }
            try Self.replaceCodes(db, userID: userID, hashes: hashes)
            return true
        }
    }

    public func recoveryCodesLeft(userID: String) throws -> Int {
        try db.read { try $0.scalar(Int.self, "SELECT COUNT(*) FROM totp_recovery_codes WHERE user_id = ?", [userID]) } ?? 0
    }

    /// Removes the secret (enabled or pending) and the recovery codes; false when there was none.
    public func disable(userID: String) throws -> Bool {
        try db.write { db in
            try db.execute("DELETE FROM totp_recovery_codes WHERE user_id = ?", [userID])
            return try db.execute("DELETE FROM totp_secrets WHERE user_id = ?", [userID]) > 0
        }
    }

    static func replaceCodes(_ db: any SQLConnection, userID: String, hashes: [String]) throws {
        try db.execute("DELETE FROM totp_recovery_codes WHERE user_id = ?", [userID])
        for hash in hashes {
            try db.execute("INSERT INTO totp_recovery_codes (user_id, code_hash) VALUES (?, ?)", [userID, hash])
        }
    }
}

extension KinoraDatabase {
    public var totp: TOTPRepository { TOTPRepository(db: sql) }
}
