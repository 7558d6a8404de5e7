import Foundation
import KinoraStore

/// Invitation codes for sign-up, made by admins. A code is shown once, when made; the
/// database keeps its SHA-256.
public struct Invitations: Sendable {
    public let database: KinoraDatabase
    /// The role an invitation gives when it names none (`[auth] signup_role`).
    public let defaultRole: Role

    public init(database: KinoraDatabase, defaultRole: Role) {
        self.database = database
        self.defaultRole = defaultRole
    }

    /// A new invitation (`maxUses` 1 to 10000, default 1; valid `expiresInDays` 1 to 365,
    /// default 7) and its code.
    public func create(
        role: String?, maxUses: Int?, expiresInDays: Int?, createdBy: String?, now: Date = Date()
    ) throws -> (InvitationRecord, code: String) {
        let role = try role.map(Accounts.role(named:)) ?? defaultRole
        let maxUses = maxUses ?? 1
        guard (1...10_000).contains(maxUses) else { throw AccountError.invalidField(field: "max_uses", detail: "max_uses must be from 1 to 10000") }
        let expiresAt = try Accounts.days(expiresInDays ?? 7, in: 1...365, field: "expires_in_days", from: now)
        // 120 random bits in 24 characters of base32: easy to pass on, impossible to guess.
        let code = RandomID.make(bytes: 15)
        let invitation = InvitationRecord(
            id: RandomID.make(bytes: 10), codeHash: Secrets.hash(code), role: role.rawValue,
            maxUses: maxUses, createdBy: createdBy, expiresAt: expiresAt, now: now)
        try database.invitations.create(invitation)
        return (invitation, code)
    }

    public func list() throws -> [InvitationRecord] { try database.invitations.list() }

    public func delete(id: String) throws {
        guard try database.invitations.delete(id: id) else { throw AccountError.notFound("no invitation \(id.prefix(64))") }
    }
}
