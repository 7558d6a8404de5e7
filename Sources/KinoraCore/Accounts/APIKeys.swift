import Foundation
import KinoraStore

/// An account's API keys. A key is shown once, when made; the database keeps its SHA-256
/// and a short prefix that tells keys apart in lists. Which scopes exist, and which a caller
/// may grant, is the HTTP edge's to say (scopes name its routes).
public struct APIKeys: Sendable {
    /// What every key starts with, so a leaked one is recognisable (and scannable).
    public static let keyPrefix = "knk_"

    public let database: KinoraDatabase

    public init(database: KinoraDatabase) {
        self.database = database
    }

    /// The name a key may have: 1 to 64 characters once trimmed, no control characters.
    public static func checkName(_ name: String) throws -> String {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard (1...64).contains(name.count), !name.containsControlCharacters() else {
            throw AccountError.invalidField(field: "name", detail: "the name must have 1 to 64 characters and no control characters")
        }
        return name
    }

    /// Makes a key for `user` with already-checked scopes, valid `expiresInDays` (1 to 3650)
    /// or for ever. Answers the record and the key itself.
    public func create(
        for user: UserRecord, name: String, scopes: [String], expiresInDays: Int?, now: Date = Date()
    ) throws -> (APIKeyRecord, key: String) {
        let name = try Self.checkName(name)
        let expiresAt = try expiresInDays.map { try Accounts.days($0, in: 1...3650, field: "expires_in_days", from: now) }
        let key = Self.keyPrefix + Secrets.newToken().token
        let record = APIKeyRecord(
            id: RandomID.make(bytes: 10), userID: user.id, name: name,
            prefix: String(key.prefix(Self.keyPrefix.count + 8)),
            keyHash: Secrets.hash(key), scopes: scopes, expiresAt: expiresAt)
        try database.apiKeys.create(record)
        return (record, key)
    }

    public func list(userID: String) throws -> [APIKeyRecord] { try database.apiKeys.list(userID: userID) }

    public func delete(id: String, userID: String) throws {
        guard try database.apiKeys.delete(id: id, userID: userID) else { throw AccountError.notFound("no API key \(id.prefix(64))") }
    }
}
