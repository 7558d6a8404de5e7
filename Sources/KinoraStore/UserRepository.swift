import Foundation

/// An account. The password is only ever held as its bcrypt hash.
public struct UserRecord: Codable, Sendable, Hashable {
    public static let databaseTableName = "users"
    public static let roles = ["admin", "moderator", "creator", "viewer"]

    public var id: String
    public var username: String
    public var displayName: String
    public var role: String
    public var passwordHash: String
    public var disabled: Bool
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, username, role, disabled
        case displayName = "display_name", passwordHash = "password_hash", createdAt = "created_at"
    }

    public init(
        id: String, username: String, displayName: String? = nil, role: String, passwordHash: String,
        disabled: Bool = false, now: Date = Date()
    ) {
        self.id = id
        self.username = username
        self.displayName = displayName ?? username
        self.role = role
        self.passwordHash = passwordHash
        self.disabled = disabled
        // Whole seconds: what the database keeps is what the API answers.
        createdAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
    }
}

/// A refresh token as stored: its SHA-256 hash, never the token.
public struct RefreshTokenRecord: Codable, Sendable, Hashable {
    public static let databaseTableName = "refresh_tokens"

    public var tokenHash: String
    public var userID: String
    public var familyID: String
    public var createdAt: Date
    public var expiresAt: Date
    public var used: Bool
    public var revoked: Bool

    enum CodingKeys: String, CodingKey {
        case used, revoked
        case tokenHash = "token_hash", userID = "user_id", familyID = "family_id", createdAt = "created_at", expiresAt = "expires_at"
    }

    public init(tokenHash: String, userID: String, familyID: String, expiresAt: Date, now: Date = Date()) {
        self.tokenHash = tokenHash
        self.userID = userID
        self.familyID = familyID
        createdAt = now
        self.expiresAt = expiresAt
        used = false
        revoked = false
    }
}

/// The username is already taken (usernames are unique whatever their case).
public struct UsernameTaken: Error, CustomStringConvertible {
    public let username: String
    public var description: String { "the username \"\(username)\" is taken" }
}

/// What presenting a refresh token led to.
public enum RefreshOutcome: Sendable, Equatable {
    /// The token was valid: it is now used, and `next` (already stored) replaces it.
    case rotated(user: UserRecord, next: RefreshTokenRecord)
    /// Unknown, expired, revoked, or the user is disabled or gone.
    case invalid
    /// The token had been used already: the whole family is now revoked.
    case reused
}

/// Every query on the users and refresh_tokens tables. Runs on both backends.
public struct UserRepository: Sendable {
    let db: any SQLDatabase

    /// Inserts the account; throws ``UsernameTaken`` when the name exists in any case. An
    /// account that may upload gets its default channel in the same transaction.
    public func create(_ user: UserRecord) throws {
        do {
            try db.write { try user.insertAccount($0) }
        } catch SQLError.unique {
            throw UsernameTaken(username: user.username)
        }
    }

    public func find(id: String) throws -> UserRecord? {
        try db.read { try $0.fetchOne(UserRecord.self, "SELECT * FROM users WHERE id = ?", [id]) }
    }

    /// Case-insensitive, as the column (NOCASE on SQLite, citext on PostgreSQL).
    public func find(username: String) throws -> UserRecord? {
        try db.read { try $0.fetchOne(UserRecord.self, "SELECT * FROM users WHERE username = ?", [username]) }
    }

    public func count(role: String? = nil) throws -> Int {
        try db.read { db in
            if let role { return try db.scalar(Int.self, "SELECT COUNT(*) FROM users WHERE role = ?", [role]) ?? 0 }
            return try db.scalar(Int.self, "SELECT COUNT(*) FROM users") ?? 0
        }
    }

    /// Disabling also ends the account's browser sessions (its refresh tokens stop rotating).
    public func setDisabled(id: String, _ disabled: Bool) throws {
        try db.write { db in
            try db.execute("UPDATE users SET disabled = ? WHERE id = ?", [disabled, id])
            if disabled { try db.execute("DELETE FROM sessions WHERE user_id = ?", [id]) }
        }
    }

    public func addRefreshToken(_ token: RefreshTokenRecord) throws {
        try db.write { try $0.insert(token, into: RefreshTokenRecord.databaseTableName) }
    }

    public func refreshToken(hash: String) throws -> RefreshTokenRecord? {
        try db.read { try $0.fetchOne(RefreshTokenRecord.self, "SELECT * FROM refresh_tokens WHERE token_hash = ?", [hash]) }
    }

    /// Rotation in one transaction: a valid token becomes used and `next` joins its family;
    /// a token used before revokes its family (someone replayed it).
    public func rotate(hash: String, nextHash: String, expiresAt: Date, now: Date = Date()) throws -> RefreshOutcome {
        try db.write { db in
            // Locked on PostgreSQL, so two nodes rotating the same token at once cannot both win.
            let lock = db.dialect == .postgres ? " FOR UPDATE" : ""
            guard let token = try db.fetchOne(RefreshTokenRecord.self, "SELECT * FROM refresh_tokens WHERE token_hash = ?" + lock, [hash]),
                !token.revoked
            else { return .invalid }
            if token.used {
                try db.execute("UPDATE refresh_tokens SET revoked = ? WHERE family_id = ?", [true, token.familyID])
                return .reused
            }
            guard token.expiresAt > now,
                let user = try db.fetchOne(UserRecord.self, "SELECT * FROM users WHERE id = ?", [token.userID]), !user.disabled
            else { return .invalid }
            try db.execute("UPDATE refresh_tokens SET used = ? WHERE token_hash = ?", [true, hash])
            let next = RefreshTokenRecord(tokenHash: nextHash, userID: user.id, familyID: token.familyID, expiresAt: expiresAt, now: now)
            try db.insert(next, into: RefreshTokenRecord.databaseTableName)
            return .rotated(user: user, next: next)
        }
    }

    /// Revokes every token of the family; returns how many rows changed.
    @discardableResult
    public func revokeFamily(_ familyID: String) throws -> Int {
        try db.write { try $0.execute("UPDATE refresh_tokens SET revoked = ? WHERE family_id = ? AND revoked = ?", [true, familyID, false]) }
    }

    /// Logout everywhere: every refresh token of the user.
    @discardableResult
    public func revokeAll(userID: String) throws -> Int {
        try db.write { try $0.execute("UPDATE refresh_tokens SET revoked = ? WHERE user_id = ? AND revoked = ?", [true, userID, false]) }
    }

    /// Drops tokens past their expiry (housekeeping).
    @discardableResult
    public func deleteExpiredTokens(now: Date = Date()) throws -> Int {
        try db.write { try $0.execute("DELETE FROM refresh_tokens WHERE expires_at <= ?", [now]) }
    }
}

extension KinoraDatabase {
    public var users: UserRepository { UserRepository(db: sql) }
}
