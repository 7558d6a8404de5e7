import Foundation

/// An invitation code as stored: its SHA-256 hash, never the code.
public struct InvitationRecord: Codable, Sendable, Hashable {
    public static let databaseTableName = "invitations"

    public var id: String
    public var codeHash: String
    public var role: String
    public var maxUses: Int
    public var uses: Int
    public var createdBy: String?
    public var createdAt: Date
    public var expiresAt: Date

    enum CodingKeys: String, CodingKey {
        case id, role, uses
        case codeHash = "code_hash", maxUses = "max_uses", createdBy = "created_by", createdAt = "created_at", expiresAt = "expires_at"
    }

    public init(id: String, codeHash: String, role: String, maxUses: Int, createdBy: String?, expiresAt: Date, now: Date = Date()) {
        self.id = id
        self.codeHash = codeHash
        self.role = role
        self.maxUses = maxUses
        uses = 0
        self.createdBy = createdBy
        // Whole seconds: what the database keeps is what the API answers.
        createdAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        self.expiresAt = Date(timeIntervalSince1970: expiresAt.timeIntervalSince1970.rounded(.down))
    }

    public var remainingUses: Int { max(0, maxUses - uses) }
}

/// The invitation is unknown, expired, revoked or used up.
public struct InvitationUnusable: Error, CustomStringConvertible {
    public var description: String { "the invitation code is unknown, expired or used up" }
}

/// Every query on the invitations table, and the sign-up that spends one. Runs on both backends.
public struct InvitationRepository: Sendable {
    let db: any SQLDatabase

    public func create(_ invitation: InvitationRecord) throws {
        try db.write { try $0.insert(invitation, into: InvitationRecord.databaseTableName) }
    }

    /// Newest first.
    public func list() throws -> [InvitationRecord] {
        try db.read { try $0.fetchAll(InvitationRecord.self, "SELECT * FROM invitations ORDER BY created_at DESC, id") }
    }

    public func find(id: String) throws -> InvitationRecord? {
        try db.read { try $0.fetchOne(InvitationRecord.self, "SELECT * FROM invitations WHERE id = ?", [id]) }
    }

    /// Revokes (deletes) the invitation; false when there was none.
    @discardableResult
    public func delete(id: String) throws -> Bool {
        try db.write { try $0.execute("DELETE FROM invitations WHERE id = ?", [id]) } > 0
    }

    /// Creates `user`, first taking one use of the invitation whose code hashes to `codeHash`
    /// when given, in one transaction: the conditional UPDATE (one row-level change on either
    /// engine) is what keeps concurrent sign-ups from overusing a code, and a taken username
    /// rolls the use back. The invitation's role replaces `user.role`.
    /// Throws ``InvitationUnusable`` or ``UsernameTaken``.
    @discardableResult
    public func signUp(_ user: UserRecord, invitationHash: String?, now: Date = Date()) throws -> UserRecord {
        do {
            return try db.write { db in
                var user = user
                if let invitationHash {
                    guard
                        let taken = try db.fetchOne(
                            "UPDATE invitations SET uses = uses + 1 WHERE code_hash = ? AND uses < max_uses AND expires_at > ? RETURNING role",
                            [invitationHash, now])
                    else { throw InvitationUnusable() }
                    user.role = try taken.value("role")
                }
                try user.insertAccount(db)
                return user
            }
        } catch SQLError.unique {
            throw UsernameTaken(username: user.username)
        }
    }
}

extension KinoraDatabase {
    public var invitations: InvitationRepository { InvitationRepository(db: sql) }
}
