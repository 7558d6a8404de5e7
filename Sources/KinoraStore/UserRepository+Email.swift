import Foundation
import GRDB

/// An account's email address and whether someone proved it belongs to the account's owner
/// (an admin who typed it, or a provider that said `email_verified`).
public struct UserEmail: Sendable, Equatable {
    public var address: String
    public var verified: Bool

    public init(address: String, verified: Bool) {
        self.address = address
        self.verified = verified
    }
}

/// Another account has this email (addresses are unique whatever their case).
public struct EmailTaken: Error, CustomStringConvertible {
    public let address: String
    public var description: String { "the email address \"\(address)\" belongs to another account" }
}

extension UserRepository {
    /// Inserts the account and its email in one transaction.
    public func create(_ user: UserRecord, email: UserEmail?) throws {
        guard let email else { return try create(user) }
        do {
            try writer.write { db in
                if try Self.holder(of: email.address, db) != nil { throw EmailTaken(address: email.address) }
                try user.insertAccount(db)
                try Self.setEmail(id: user.id, email, db)
            }
        } catch let error as DatabaseError
            where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
            || error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY
        {
            throw UsernameTaken(username: user.username)
        }
    }

    public func email(id: String) throws -> UserEmail? {
        try writer.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT email, email_verified FROM users WHERE id = ?", arguments: [id]),
                let address: String = row["email"]
            else { return nil }
            return UserEmail(address: address, verified: row["email_verified"])
        }
    }

    /// The account with this address, whatever its case.
    public func find(email address: String) throws -> UserRecord? {
        try writer.read { try Self.holder(of: address, $0) }
    }

    static func holder(of address: String, _ db: Database) throws -> UserRecord? {
        try UserRecord.fetchOne(db, sql: "SELECT * FROM users WHERE email = ? COLLATE NOCASE", arguments: [address])
    }

    static func setEmail(id: String, _ email: UserEmail?, _ db: Database) throws {
        try db.execute(
            sql: "UPDATE users SET email = ?, email_verified = ? WHERE id = ?",
            arguments: [email?.address, email?.verified ?? false, id])
    }
}
