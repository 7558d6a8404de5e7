import Foundation
import GRDB

/// An account's TOTP secret, sealed by the caller (the store never sees it in clear).
public struct TOTPRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
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

/// Every query on the totp_secrets and totp_recovery_codes tables.
public struct TOTPRepository: Sendable {
    let writer: DatabasePool

    public func find(userID: String) throws -> TOTPRecord? {
        try writer.read { try TOTPRecord.fetchOne($0, key: userID) }
    }

    public func isEnabled(userID: String) throws -> Bool {
        try writer.read { try Bool.fetchOne($0, sql: "SELECT enabled FROM totp_secrets WHERE user_id = ?", arguments: [userID]) } ?? false
    }

    /// Stores a pending secret, replacing an earlier pending one. Returns false, changing
    /// nothing, when TOTP is already enabled for the account.
    public func startEnrolment(_ record: TOTPRecord) throws -> Bool {
        try writer.write { db in
            if let existing = try TOTPRecord.fetchOne(db, key: record.userID), existing.enabled { return false }
            var pending = record
            pending.enabled = false
            try pending.save(db)
            return true
        }
    }

    /// Turns a pending enrolment on, with `step` as the last step used and these recovery
    /// codes. Returns false when there was no pending enrolment.
    public func enable(userID: String, step: Int64, recoveryCodeHashes: [String]) throws -> Bool {
        try writer.write { db in
            try db.execute(
                sql: "UPDATE totp_secrets SET enabled = 1, last_step = ? WHERE user_id = ? AND enabled = 0",
                arguments: [step, userID])
            guard db.changesCount == 1 else { return false }
            try Self.replaceCodes(db, userID: userID, hashes: recoveryCodeHashes)
            return true
        }
    }

    /// Records `step` as used when it is newer than the last one used; false means the code was
    /// already used (or an older one was), or TOTP is not enabled.
    public func useStep(userID: String, step: Int64) throws -> Bool {
        try writer.write { db in
            try db.execute(
                sql: "UPDATE totp_secrets SET last_step = ? WHERE user_id = ? AND enabled = 1 AND last_step < ?",
                arguments: [step, userID, step])
            return db.changesCount == 1
        }
    }

    /// Consumes a recovery code: true once, then never again.
    public func useRecoveryCode(userID: String, hash: String) throws -> Bool {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM totp_recovery_codes WHERE user_id = ? AND code_hash = ?", arguments: [userID, hash])
            return db.changesCount == 1
        }
    }

    /// Replaces every recovery code of an enabled account; false when TOTP is not enabled.
    public func replaceRecoveryCodes(userID: String, hashes: [String]) throws -> Bool {
        try writer.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT enabled FROM totp_secrets WHERE user_id = ?", arguments: [userID]) == true else {
                return false
            }
            try Self.replaceCodes(db, userID: userID, hashes: hashes)
            return true
        }
    }

    public func recoveryCodesLeft(userID: String) throws -> Int {
        try writer.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM totp_recovery_codes WHERE user_id = ?", arguments: [userID]) } ?? 0
    }

    /// Removes the secret (enabled or pending) and the recovery codes; false when there was none.
    public func disable(userID: String) throws -> Bool {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM totp_recovery_codes WHERE user_id = ?", arguments: [userID])
            return try TOTPRecord.deleteOne(db, key: userID)
        }
    }

    static func replaceCodes(_ db: Database, userID: String, hashes: [String]) throws {
        try db.execute(sql: "DELETE FROM totp_recovery_codes WHERE user_id = ?", arguments: [userID])
        for hash in hashes {
            try db.execute(sql: "INSERT INTO totp_recovery_codes (user_id, code_hash) VALUES (?, ?)", arguments: [userID, hash])
        }
    }
}

extension KinoraDatabase {
    public var totp: TOTPRepository { TOTPRepository(writer: writer) }
}
