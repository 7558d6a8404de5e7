import Foundation

/// A browser session as stored: the SHA-256 of the cookie, never the cookie.
public struct SessionRecord: Codable, Sendable, Hashable {
    public static let databaseTableName = "sessions"

    public var tokenHash: String
    public var userID: String
    public var csrfToken: String
    public var createdAt: Date
    public var lastSeenAt: Date
    public var expiresAt: Date
    /// The browser's `User-Agent` at login (cut to ``userAgentLimit`` characters), if it sent one.
    public var userAgent: String?

    public static let userAgentLimit = 512

    enum CodingKeys: String, CodingKey {
        case tokenHash = "token_hash", userID = "user_id", csrfToken = "csrf_token", createdAt = "created_at"
        case lastSeenAt = "last_seen_at", expiresAt = "expires_at", userAgent = "user_agent"
    }

    public init(tokenHash: String, userID: String, csrfToken: String, expiresAt: Date, now: Date = Date(), userAgent: String? = nil) {
        self.tokenHash = tokenHash
        self.userID = userID
        self.csrfToken = csrfToken
        createdAt = now
        lastSeenAt = now
        self.expiresAt = expiresAt
        self.userAgent = userAgent.map { String($0.prefix(Self.userAgentLimit)) }
    }
}

extension SessionRecord {
    static let publicIDLength = 16

    /// The id a session is shown and ended by: the first 16 hex digits of the stored hash. The
    /// hash is of a 256-bit random cookie, so its prefix tells nothing that would forge one.
    public var publicID: String { String(tokenHash.prefix(Self.publicIDLength)) }
}

/// Every query on the sessions table. Runs on both backends.
public struct SessionRepository: Sendable {
    let db: any SQLDatabase

    public func create(_ session: SessionRecord) throws {
        try db.write { try $0.insert(session, into: SessionRecord.databaseTableName) }
    }

    /// The session and its account when the account is enabled and the session is neither past
    /// its absolute expiry nor idle for longer than `idle`. A dead session's row is deleted on the way. Last-seen is
    /// written only when it is older than `touchAfter`, so a busy page does not write on
    /// every request.
    public func lookup(
        hash: String, idle: TimeInterval, touchAfter: TimeInterval = 60, now: Date = Date()
    ) throws
        -> (session: SessionRecord, user: UserRecord)?
    {
        let found = try db.read { db -> (SessionRecord, UserRecord?)? in
            guard let session = try db.fetchOne(SessionRecord.self, "SELECT * FROM sessions WHERE token_hash = ?", [hash]) else { return nil }
            return (session, try db.fetchOne(UserRecord.self, "SELECT * FROM users WHERE id = ?", [session.userID]))
        }
        guard let (session, user) = found else { return nil }
        guard let user, !user.disabled, session.expiresAt > now, now.timeIntervalSince(session.lastSeenAt) < idle else {
            try delete(hash: hash)
            return nil
        }
        if now.timeIntervalSince(session.lastSeenAt) >= touchAfter {
            try db.write { try $0.execute("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", [now, hash]) }
        }
        return (session, user)
    }

    @discardableResult
    public func delete(hash: String) throws -> Bool {
        try db.write { try $0.execute("DELETE FROM sessions WHERE token_hash = ?", [hash]) } > 0
    }

    /// Ends every session of the account (logout everywhere, account disabled).
    @discardableResult
    public func deleteAll(userID: String) throws -> Int {
        try db.write { try $0.execute("DELETE FROM sessions WHERE user_id = ?", [userID]) }
    }

    /// The account's sessions, most recently used first, for "where am I signed in".
    public func list(userID: String) throws -> [SessionRecord] {
        try db.read {
            try $0.fetchAll(SessionRecord.self, "SELECT * FROM sessions WHERE user_id = ? ORDER BY last_seen_at DESC, created_at DESC", [userID])
        }
    }

    /// Ends one of the account's sessions by its public id; false when it has no such session.
    @discardableResult
    public func delete(publicID: String, userID: String) throws -> Bool {
        guard publicID.count == SessionRecord.publicIDLength, publicID.allSatisfy(\.isHexDigit) else { return false }
        // Hex digits only, so the pattern holds no wildcard but its own.
        return try db.write { try $0.execute("DELETE FROM sessions WHERE user_id = ? AND token_hash LIKE ?", [userID, publicID.lowercased() + "%"]) } > 0
    }

    /// Housekeeping: drops sessions past their absolute expiry or idle for longer than `idle`.
    @discardableResult
    public func deleteExpired(idle: TimeInterval, now: Date = Date()) throws -> Int {
        try db.write { try $0.execute("DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?", [now, now.addingTimeInterval(-idle)]) }
    }
}

extension KinoraDatabase {
    public var sessions: SessionRepository { SessionRepository(db: sql) }
}
