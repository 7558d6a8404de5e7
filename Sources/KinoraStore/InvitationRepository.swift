import Foundation
import GRDB

/// An invitation code as stored: its SHA-256 hash, never the code.
public struct InvitationRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
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

/// Every query on the invitations table, and the sign-up that spends one.
public struct InvitationRepository: Sendable {
    let writer: DatabasePool

    public func create(_ invitation: InvitationRecord) throws {
        try writer.write { try invitation.insert($0) }
    }

    /// Newest first.
    public func list() throws -> [InvitationRecord] {
        try writer.read { try InvitationRecord.fetchAll($0, sql: "SELECT * FROM invitations ORDER BY created_at DESC, id") }
    }

    public func find(id: String) throws -> InvitationRecord? {
        try writer.read { try InvitationRecord.fetchOne($0, key: id) }
    }

    /// Revokes (deletes) the invitation; false when there was none.
    @discardableResult
    public func delete(id: String) throws -> Bool {
        try writer.write { try InvitationRecord.deleteOne($0, key: id) }
    }

    /// Creates `user`, first taking one use of the invitation whose code hashes to `codeHash`
    /// when given, in one transaction: the conditional UPDATE (serialized by SQLite's single
    /// writer) is what keeps concurrent sign-ups from overusing a code, and a taken username
    /// rolls the use back. The invitation's role replaces `user.role`.
    /// Throws ``InvitationUnusable`` or ``UsernameTaken``.
    @discardableResult
    public func signUp(_ user: UserRecord, invitationHash: String?, now: Date = Date()) throws -> UserRecord {
        do {
            return try writer.write { db in
                var user = user
                if let invitationHash {
                    try db.execute(
                        sql: """
                            UPDATE invitations SET uses = uses + 1
                            WHERE code_hash = ? AND uses < max_uses AND expires_at > ?
                            """, arguments: [invitationHash, now])
                    guard db.changesCount == 1,
                        let invitation = try InvitationRecord.fetchOne(
                            db, sql: "SELECT * FROM invitations WHERE code_hash = ?",
                            arguments: [invitationHash])
                    else { throw InvitationUnusable() }
                    user.role = invitation.role
                }
                try user.insertAccount(db)
                return user
            }
        } catch let error as DatabaseError
            where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
            || error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY
        {
            throw UsernameTaken(username: user.username)
        }
    }
}

extension KinoraDatabase {
    public var invitations: InvitationRepository { InvitationRepository(writer: writer) }
}
