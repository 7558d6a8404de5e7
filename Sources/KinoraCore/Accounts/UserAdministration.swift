import Foundation
import KinoraStore

/// What admins do to accounts: find, list and change them.
public struct UserAdministration: Sendable {
    public let database: KinoraDatabase
    /// Told when an enabled admin account appears (the bootstrap token then retires).
    public let adminAppeared: @Sendable () -> Void

    public init(database: KinoraDatabase, adminAppeared: @escaping @Sendable () -> Void) {
        self.database = database
        self.adminAppeared = adminAppeared
    }

    public func user(id: String) throws -> UserRecord {
        guard let user = try database.users.find(id: id) else { throw AccountError.notFound("no user \(id.prefix(64))") }
        return user
    }

    /// A page of accounts, `limit` clamped to 1...200 (50 when nil), of one role if named.
    public func list(role: String?, limit: Int?, cursor: String?) throws -> UserPage {
        if let role, Role(rawValue: role) == nil { throw AccountError.badRequest(Accounts.roleChoices, field: "role") }
        return try database.users.list(role: role, limit: min(max(limit ?? 50, 1), 200), cursor: cursor)
    }

    /// Changes role, disabled state or display name; the last enabled admin stays one.
    public func update(_ target: UserRecord, role: String?, disabled: Bool?, displayName: String?) throws -> UserRecord {
        if let role { _ = try Accounts.role(named: role) }
        let changes = UserChanges(role: role, disabled: disabled, displayName: try displayName.map(Accounts.checkDisplayName))
        let updated: UserRecord
        do {
            guard let user = try database.users.update(id: target.id, changes) else { throw AccountError.notFound("no user \(target.id)") }
            updated = user
        } catch let error as LastAdmin {
            throw AccountError.lastAdmin(error.description)
        }
        if updated.role == Role.admin.rawValue, !updated.disabled { adminAppeared() }
        return updated
    }
}
