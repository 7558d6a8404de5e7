import Foundation
import GRDB

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

    init(row: Row) {
        id = row["id"]
        username = row["username"]
        displayName = row["display_name"]
        bio = row["bio"]
        avatarVersion = row["avatar_version"]
        role = row["role"]
        disabled = row["disabled"]
        createdAt = row["created_at"]
    }
}

/// Profile text and avatar versions on the users table.
public struct ProfileRepository: Sendable {
    let writer: DatabasePool

    static let columns = "id, username, display_name, bio, avatar_version, role, disabled, created_at"

    public func find(id: String) throws -> Profile? {
        try writer.read { try Row.fetchOne($0, sql: "SELECT \(Self.columns) FROM users WHERE id = ?", arguments: [id]).map(Profile.init) }
    }

    /// Case-insensitive, as usernames are unique.
    public func find(username: String) throws -> Profile? {
        try writer.read { try Row.fetchOne($0, sql: "SELECT \(Self.columns) FROM users WHERE username = ?", arguments: [username]).map(Profile.init) }
    }

    /// Changes what is given; returns the profile as stored, nil when the account is gone.
    public func update(id: String, displayName: String?, bio: String?) throws -> Profile? {
        try writer.write { db in
            if let displayName { try db.execute(sql: "UPDATE users SET display_name = ? WHERE id = ?", arguments: [displayName, id]) }
            if let bio { try db.execute(sql: "UPDATE users SET bio = ? WHERE id = ?", arguments: [bio, id]) }
            return try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM users WHERE id = ?", arguments: [id]).map(Profile.init)
        }
    }

    /// Records a new avatar (a new version) or none (nil).
    public func setAvatarVersion(id: String, _ version: String?) throws {
        try writer.write { try $0.execute(sql: "UPDATE users SET avatar_version = ? WHERE id = ?", arguments: [version, id]) }
    }
}

extension KinoraDatabase {
    public var profiles: ProfileRepository { ProfileRepository(writer: writer) }
}
