import Foundation

/// An API key as stored: the SHA-256 of the key, never the key, and a short visible prefix.
public struct APIKeyRecord: Codable, Sendable, Hashable {
    public static let databaseTableName = "api_keys"

    public var id: String
    public var userID: String
    public var name: String
    public var prefix: String
    public var keyHash: String
    /// Space-separated scope names.
    public var scopes: String
    public var createdAt: Date
    public var expiresAt: Date?
    public var lastUsedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, name, prefix, scopes
        case userID = "user_id", keyHash = "key_hash", createdAt = "created_at", expiresAt = "expires_at", lastUsedAt = "last_used_at"
    }

    public init(
        id: String, userID: String, name: String, prefix: String, keyHash: String, scopes: [String], expiresAt: Date?,
        now: Date = Date()
    ) {
        self.id = id
        self.userID = userID
        self.name = name
        self.prefix = prefix
        self.keyHash = keyHash
        self.scopes = scopes.joined(separator: " ")
        // Whole seconds: what the database keeps is what the API answers.
        createdAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        self.expiresAt = expiresAt.map { Date(timeIntervalSince1970: $0.timeIntervalSince1970.rounded(.down)) }
        lastUsedAt = nil
    }

    public var scopeList: [String] { scopes.split(separator: " ").map(String.init) }
}

/// Every query on the api_keys table. Runs on both backends.
public struct APIKeyRepository: Sendable {
    let db: any SQLDatabase

    public func create(_ key: APIKeyRecord) throws {
        try db.write { try $0.insert(key, into: APIKeyRecord.databaseTableName) }
    }

    /// The user's keys, newest first.
    public func list(userID: String) throws -> [APIKeyRecord] {
        try db.read { try $0.fetchAll(APIKeyRecord.self, "SELECT * FROM api_keys WHERE user_id = ? ORDER BY created_at DESC, id", [userID]) }
    }

    /// Deletes the key if it belongs to `userID`; false otherwise (someone else's key looks absent).
    @discardableResult
    public func delete(id: String, userID: String) throws -> Bool {
        try db.write { try $0.execute("DELETE FROM api_keys WHERE id = ? AND user_id = ?", [id, userID]) } == 1
    }

    /// The key with this hash and its owner, when the key has not expired and the owner is
    /// enabled; nil otherwise.
    public func authenticate(keyHash: String, now: Date = Date()) throws -> (key: APIKeyRecord, owner: UserRecord)? {
        try db.read { db in
            guard let key = try db.fetchOne(APIKeyRecord.self, "SELECT * FROM api_keys WHERE key_hash = ?", [keyHash]),
                key.expiresAt.map({ $0 > now }) ?? true,
                let owner = try db.fetchOne(UserRecord.self, "SELECT * FROM users WHERE id = ?", [key.userID]), !owner.disabled
            else { return nil }
            return (key, owner)
        }
    }

    /// Records a use. Callers write at most once a minute per key (see ``needsTouch``), so
    /// busy automation does not turn every request into a database write.
    public func touch(id: String, now: Date = Date()) throws {
        try db.write { try $0.execute("UPDATE api_keys SET last_used_at = ? WHERE id = ?", [now, id]) }
    }
}

extension APIKeyRecord {
    /// True when `last_used_at` is unset or older than `interval`.
    public func needsTouch(now: Date = Date(), interval: TimeInterval = 60) -> Bool {
        lastUsedAt.map { now.timeIntervalSince($0) >= interval } ?? true
    }
}

extension KinoraDatabase {
    public var apiKeys: APIKeyRepository { APIKeyRepository(db: sql) }
}
