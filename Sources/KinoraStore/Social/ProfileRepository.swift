import Foundation

/// What others see of an account.
public struct Profile: Sendable, Hashable {
    public var id: String
    public var username: String
    public var displayName: String
    public var bio: String
    public var avatarVersion: String?
    public var role: String
    public var disabled: Bool
    public var createdAt: Date

    init(row: SQLRow) throws {
        id = try row.value("id")
        username = try row.value("username")
        displayName = try row.value("display_name")
        bio = try row.value("bio")
        avatarVersion = row["avatar_version"]
        role = try row.value("role")
        disabled = try row.value("disabled")
        createdAt = try row.value("created_at")
    }
}

/// Profile text and avatar versions on the users table. Runs on both backends.
public struct ProfileRepository: Sendable {
    let db: any SQLDatabase

    static let columns = "id, username, display_name, bio, avatar_version, role, disabled, created_at"

    public func find(id: String) throws -> Profile? {
        try db.read { try $0.fetchOne("SELECT \(Self.columns) FROM users WHERE id = ?", [id]).map(Profile.init) }
    }

    /// Case-insensitive, as usernames are unique (NOCASE on SQLite, citext on PostgreSQL).
    public func find(username: String) throws -> Profile? {
        try db.read { try $0.fetchOne("SELECT \(Self.columns) FROM users WHERE username = ?", [username]).map(Profile.init) }
    }

    /// Changes what is given; returns the profile as stored, nil when the account is gone.
    public func update(id: String, displayName: String?, bio: String?) throws -> Profile? {
        try db.write { db in
            if let displayName { try db.execute("UPDATE users SET display_name = ? WHERE id = ?", [displayName, id]) }
            if let bio { try db.execute("UPDATE users SET bio = ? WHERE id = ?", [bio, id]) }
            return try db.fetchOne("SELECT \(Self.columns) FROM users WHERE id = ?", [id]).map(Profile.init)
        }
    }

    /// Records a new avatar (a new version) or none (nil).
    public func setAvatarVersion(id: String, _ version: String?) throws {
        try db.write { try $0.execute("UPDATE users SET avatar_version = ? WHERE id = ?", [version, id]) }
    }
}

extension KinoraDatabase {
    public var profiles: ProfileRepository { ProfileRepository(db: sql) }
}
