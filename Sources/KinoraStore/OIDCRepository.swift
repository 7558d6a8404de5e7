import Foundation
import GRDB

/// A single sign-on login under way, from `start` to its callback. Found by the SHA-256 of
/// its `state`; taken (deleted) by the first callback that presents it.
public struct OIDCLoginRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "oidc_logins"

    public var stateHash: String
    public var provider: String
    public var nonce: String
    public var codeVerifier: String
    /// The `redirect_uri` sent to the provider, sent again to its token endpoint.
    public var redirectURI: String
    /// The same-site path the browser goes back to.
    public var returnTo: String
    public var mode: String
    /// SHA-256 of the value of the cookie set on the browser that started the login.
    public var bindingHash: String
    public var expiresAt: Date

    enum CodingKeys: String, CodingKey {
        case provider, nonce, mode
        case stateHash = "state_hash", codeVerifier = "code_verifier", redirectURI = "redirect_uri", returnTo = "return_to"
        case bindingHash = "binding_hash", expiresAt = "expires_at"
    }

    public init(
        stateHash: String, provider: String, nonce: String, codeVerifier: String, redirectURI: String,
        returnTo: String, mode: String, bindingHash: String, expiresAt: Date
    ) {
        self.stateHash = stateHash
        self.provider = provider
        self.nonce = nonce
        self.codeVerifier = codeVerifier
        self.redirectURI = redirectURI
        self.returnTo = returnTo
        self.mode = mode
        self.bindingHash = bindingHash
        self.expiresAt = expiresAt
    }
}

/// A provider's subject linked to an account.
public struct OIDCLink: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "oidc_links"

    public var provider: String
    public var subject: String
    public var userID: String
    public var createdAt: Date
    public var lastLoginAt: Date

    enum CodingKeys: String, CodingKey {
        case provider, subject
        case userID = "user_id", createdAt = "created_at", lastLoginAt = "last_login_at"
    }
}

/// How a verified identity became an account.
public enum OIDCResolution: Sendable, Equatable {
    /// The subject was linked already.
    case linked(UserRecord)
    /// Linked now to the account holding the same verified email.
    case linkedByEmail(UserRecord)
    /// A new account, linked.
    case created(UserRecord)
    /// No link, no email match, and creating accounts is off.
    case noAccount
}

/// Every query on oidc_logins, oidc_links and oidc_exchange_codes.
public struct OIDCRepository: Sendable {
    let writer: DatabasePool

    public func addLogin(_ login: OIDCLoginRecord) throws {
        try writer.write { db in
            // Abandoned logins go when new ones come: the table stays small without a sweeper.
            try db.execute(sql: "DELETE FROM oidc_logins WHERE expires_at <= ?", arguments: [Date().storageText])
            try login.insert(db)
        }
    }

    /// Deletes and returns the login, so a state works once; nil when unknown or expired.
    public func takeLogin(stateHash: String, now: Date = Date()) throws -> OIDCLoginRecord? {
        try writer.write { db in
            guard let login = try OIDCLoginRecord.fetchOne(db, key: stateHash) else { return nil }
            try login.delete(db)
            return login.expiresAt > now ? login : nil
        }
    }

    public func addExchangeCode(hash: String, userID: String, expiresAt: Date) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM oidc_exchange_codes WHERE expires_at <= ?", arguments: [Date().storageText])
            try db.execute(
                sql: "INSERT INTO oidc_exchange_codes (code_hash, user_id, expires_at) VALUES (?, ?, ?)",
                arguments: [hash, userID, expiresAt])
        }
    }

    /// Deletes the code and returns its account id; nil when unknown, used or expired.
    public func takeExchangeCode(hash: String, now: Date = Date()) throws -> String? {
        try writer.write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT user_id, expires_at FROM oidc_exchange_codes WHERE code_hash = ?",
                    arguments: [hash])
            else { return nil }
            try db.execute(sql: "DELETE FROM oidc_exchange_codes WHERE code_hash = ?", arguments: [hash])
            let expiresAt: Date = row["expires_at"]
            return expiresAt > now ? row["user_id"] : nil
        }
    }

    public func links(userID: String) throws -> [OIDCLink] {
        try writer.read { db in
            try OIDCLink.fetchAll(db, sql: "SELECT * FROM oidc_links WHERE user_id = ? ORDER BY provider, created_at", arguments: [userID])
        }
    }

    /// The linked account, its last login time updated.
    public func linkedUser(provider: String, subject: String, now: Date = Date()) throws -> UserRecord? {
        try writer.write { db in try Self.linked(provider, subject, now, db) }
    }

    /// Links the subject to the account whose verified email is `email` (any case), when
    /// there is one; an account whose address nobody verified is never linked this way, or
    /// whoever typed someone else's address there would get their SSO logins.
    public func linkByVerifiedEmail(provider: String, subject: String, email: String, now: Date = Date()) throws -> OIDCResolution? {
        try writer.write { db in
            if let user = try Self.linked(provider, subject, now, db) { return .linked(user) }
            guard let user = try UserRepository.holder(of: email, db),
                try Bool.fetchOne(db, sql: "SELECT email_verified FROM users WHERE id = ?", arguments: [user.id]) == true
            else { return nil }
            try OIDCLink(provider: provider, subject: subject, userID: user.id, createdAt: now, lastLoginAt: now).insert(db)
            return .linkedByEmail(user)
        }
    }

    /// Creates `user` and links it, in one transaction. The username is `user.username`, or
    /// it with `-2`, `-3`, … when taken; `email` is kept only when no account has it.
    public func createLinked(provider: String, subject: String, user: UserRecord, email: UserEmail?, now: Date = Date()) throws -> OIDCResolution {
        try writer.write { db in
            // Another callback for the same subject may have won the race.
            if let existing = try Self.linked(provider, subject, now, db) { return .linked(existing) }
            var user = user
            let base = user.username
            var suffix = 2
            while try Int.fetchOne(db, sql: "SELECT 1 FROM users WHERE username = ?", arguments: [user.username]) != nil {
                let tail = "-\(suffix)"
                user.username = String(base.prefix(32 - tail.count)) + tail
                suffix += 1
            }
            if user.displayName == base { user.displayName = user.username }
            try user.insertAccount(db)
            if let email, try UserRepository.holder(of: email.address, db) == nil {
                try UserRepository.setEmail(id: user.id, email, db)
            }
            try OIDCLink(provider: provider, subject: subject, userID: user.id, createdAt: now, lastLoginAt: now).insert(db)
            return .created(user)
        }
    }

    static func linked(_ provider: String, _ subject: String, _ now: Date, _ db: Database) throws -> UserRecord? {
        guard let link = try OIDCLink.fetchOne(db, key: ["provider": provider, "subject": subject]) else { return nil }
        try db.execute(sql: "UPDATE oidc_links SET last_login_at = ? WHERE provider = ? AND subject = ?", arguments: [now, provider, subject])
        return try UserRecord.fetchOne(db, key: link.userID)
    }
}

extension KinoraDatabase {
    public var oidc: OIDCRepository { OIDCRepository(writer: writer) }
}
