import Foundation

/// A single sign-on login under way, from `start` to its callback. Found by the SHA-256 of
/// its `state`; taken (deleted) by the first callback that presents it.
public struct OIDCLoginRecord: Codable, Sendable, Equatable {
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
public struct OIDCLink: Codable, Sendable, Equatable {
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

/// Every query on oidc_logins, oidc_links and oidc_exchange_codes. Runs on both backends.
public struct OIDCRepository: Sendable {
    let db: any SQLDatabase

    public func addLogin(_ login: OIDCLoginRecord) throws {
        try db.write { db in
            // Abandoned logins go when new ones come: the table stays small without a sweeper.
            try db.execute("DELETE FROM oidc_logins WHERE expires_at <= ?", [Date()])
            try db.insert(login, into: OIDCLoginRecord.databaseTableName)
        }
    }

    /// Deletes and returns the login, so a state works once (on every node: one DELETE …
    /// RETURNING takes it); nil when unknown or expired.
    public func takeLogin(stateHash: String, now: Date = Date()) throws -> OIDCLoginRecord? {
        try db.write { db in
            guard let login = try db.fetchOne(OIDCLoginRecord.self, "DELETE FROM oidc_logins WHERE state_hash = ? RETURNING *", [stateHash])
            else { return nil }
            return login.expiresAt > now ? login : nil
        }
    }

    public func addExchangeCode(hash: String, userID: String, expiresAt: Date) throws {
        try db.write { db in
            try db.execute("DELETE FROM oidc_exchange_codes WHERE expires_at <= ?", [Date()])
            try db.execute("INSERT INTO oidc_exchange_codes (code_hash, user_id, expires_at) VALUES (?, ?, ?)", [hash, userID, expiresAt])
        }
    }

    /// Deletes the code and returns its account id; nil when unknown, used or expired.
    public func takeExchangeCode(hash: String, now: Date = Date()) throws -> String? {
        try db.write { db in
            guard let row = try db.fetchOne("DELETE FROM oidc_exchange_codes WHERE code_hash = ? RETURNING user_id, expires_at", [hash])
            else { return nil }
            let expiresAt: Date = try row.value("expires_at")
            return expiresAt > now ? try row.value("user_id") : nil
        }
    }

    public func links(userID: String) throws -> [OIDCLink] {
        try db.read { try $0.fetchAll(OIDCLink.self, "SELECT * FROM oidc_links WHERE user_id = ? ORDER BY provider, created_at", [userID]) }
    }

    /// The linked account, its last login time updated.
    public func linkedUser(provider: String, subject: String, now: Date = Date()) throws -> UserRecord? {
        try db.write { db in try Self.linked(provider, subject, now, db) }
    }

    /// Links the subject to the account whose verified email is `email` (any case), when
    /// there is one; an account whose address nobody verified is never linked this way, or
    /// whoever typed someone else's address there would get their SSO logins.
    public func linkByVerifiedEmail(provider: String, subject: String, email: String, now: Date = Date()) throws -> OIDCResolution? {
        try racingForTheLink(provider, subject, now) {
            try db.write { db in
                if let user = try Self.linked(provider, subject, now, db) { return .linked(user) }
                guard let user = try UserRepository.holder(of: email, db),
                    try db.scalar(Bool.self, "SELECT email_verified FROM users WHERE id = ?", [user.id]) == true
                else { return nil }
                try db.insert(OIDCLink(provider: provider, subject: subject, userID: user.id, createdAt: now, lastLoginAt: now), into: OIDCLink.databaseTableName)
                return .linkedByEmail(user)
            }
        }
    }

    /// Creates `user` and links it, in one transaction. The username is `user.username`, or
    /// it with `-2`, `-3`, … when taken; `email` is kept only when no account has it.
    public func createLinked(provider: String, subject: String, user: UserRecord, email: UserEmail?, now: Date = Date()) throws -> OIDCResolution {
        try racingForTheLink(provider, subject, now) {
            try db.write { db in
                // Another callback for the same subject may have won the race.
                if let existing = try Self.linked(provider, subject, now, db) { return .linked(existing) }
                var user = user
                let base = user.username
                var suffix = 2
                while try db.scalar(Int.self, "SELECT 1 FROM users WHERE username = ?", [user.username]) != nil {
                    let tail = "-\(suffix)"
                    user.username = String(base.prefix(32 - tail.count)) + tail
                    suffix += 1
                }
                if user.displayName == base { user.displayName = user.username }
                try user.insertAccount(db)
                if let email, try UserRepository.holder(of: email.address, db) == nil {
                    try UserRepository.setEmail(id: user.id, email, db)
                }
                try db.insert(OIDCLink(provider: provider, subject: subject, userID: user.id, createdAt: now, lastLoginAt: now), into: OIDCLink.databaseTableName)
                return .created(user)
            }
        }
    }

    /// Two callbacks for one subject on two nodes: the second's transaction fails on the
    /// link's key (SQLite's single writer never lets them overlap), and it answers with the
    /// account the first one linked.
    private func racingForTheLink(
        _ provider: String, _ subject: String, _ now: Date, _ body: () throws -> OIDCResolution?
    ) throws -> OIDCResolution? {
        do {
            return try body()
        } catch SQLError.unique {
            guard let winner = try linkedUser(provider: provider, subject: subject, now: now) else { throw SQLError.unique("oidc_links") }
            return .linked(winner)
        }
    }

    private func racingForTheLink(
        _ provider: String, _ subject: String, _ now: Date, _ body: () throws -> OIDCResolution
    ) throws -> OIDCResolution {
        try racingForTheLink(provider, subject, now) { () throws -> OIDCResolution? in try body() } ?? .noAccount
    }

    static func linked(_ provider: String, _ subject: String, _ now: Date, _ db: any SQLConnection) throws -> UserRecord? {
        guard let link = try db.fetchOne(OIDCLink.self, "SELECT * FROM oidc_links WHERE provider = ? AND subject = ?", [provider, subject])
        else { return nil }
        try db.execute("UPDATE oidc_links SET last_login_at = ? WHERE provider = ? AND subject = ?", [now, provider, subject])
        return try db.fetchOne(UserRecord.self, "SELECT * FROM users WHERE id = ?", [link.userID])
    }
}

extension KinoraDatabase {
    public var oidc: OIDCRepository { OIDCRepository(db: sql) }
}
