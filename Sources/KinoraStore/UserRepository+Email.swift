import Foundation

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
            try db.write { db in
                if try Self.holder(of: email.address, db) != nil { throw EmailTaken(address: email.address) }
                try user.insertAccount(db)
                try Self.setEmail(id: user.id, email, db)
            }
        } catch SQLError.unique {
            throw UsernameTaken(username: user.username)
        }
    }

    public func email(id: String) throws -> UserEmail? {
        try db.read { db in
            guard let row = try db.fetchOne("SELECT email, email_verified FROM users WHERE id = ?", [id]),
                let address: String = row["email"]
            else { return nil }
            return UserEmail(address: address, verified: try row.value("email_verified"))
        }
    }

    /// The account with this address, whatever its case.
    public func find(email address: String) throws -> UserRecord? {
        try db.read { try Self.holder(of: address, $0) }
    }

    /// Case-insensitive: NOCASE on SQLite, the citext column on PostgreSQL.
    static func holder(of address: String, _ db: any SQLConnection) throws -> UserRecord? {
        let nocase = db.dialect == .sqlite ? " COLLATE NOCASE" : ""
        return try db.fetchOne(UserRecord.self, "SELECT * FROM users WHERE email = ?" + nocase, [address])
    }

    static func setEmail(id: String, _ email: UserEmail?, _ db: any SQLConnection) throws {
        try db.execute("UPDATE users SET email = ?, email_verified = ? WHERE id = ?", [email?.address, email?.verified ?? false, id])
    }
}
