import Foundation

/// A browser's Web Push subscription (RFC 8030): where to send and the keys to encrypt with.
public struct PushSubscription: Sendable, Equatable {
    public var id: String
    public var userID: String
    public var endpoint: String
    /// The browser's P-256 public key and auth secret, base64url as the browser gave them.
    public var p256dh: String
    public var auth: String
    public var userAgent: String?
    public var createdAt: Date

    public init(id: String, userID: String, endpoint: String, p256dh: String, auth: String, userAgent: String?, createdAt: Date) {
        self.id = id
        self.userID = userID
        self.endpoint = endpoint
        self.p256dh = p256dh
        self.auth = auth
        self.userAgent = userAgent
        self.createdAt = createdAt
    }
}

/// A pending phone number and the hash of the code sent to it.
public struct PhoneCode: Sendable, Equatable {
    public var phone: String
    public var codeHash: String
    public var attempts: Int
    public var expiresAt: Date
}

/// Where an account can be reached besides its mail: Web Push subscriptions and a verified
/// phone number. Runs on both backends.
public struct AddressRepository: Sendable {
    let db: any SQLDatabase

    /// Stores a subscription; one endpoint belongs to one account (a browser that subscribes
    /// again under another account moves it). Returns the stored row.
    @discardableResult
    public func addPush(_ subscription: PushSubscription) throws -> PushSubscription {
        try db.write { db in
            try db.execute(
                """
                INSERT INTO push_subscriptions(id, user_id, endpoint, p256dh, auth, user_agent, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth,
                    user_agent = excluded.user_agent
                """,
                [subscription.id, subscription.userID, subscription.endpoint, subscription.p256dh, subscription.auth, subscription.userAgent,
                 subscription.createdAt])
            return try Self.push(try db.fetchOne("SELECT * FROM push_subscriptions WHERE endpoint = ?", [subscription.endpoint])!)
        }
    }

    public func pushSubscriptions(userID: String) throws -> [PushSubscription] {
        try db.read { try $0.fetchAll("SELECT * FROM push_subscriptions WHERE user_id = ? ORDER BY created_at, id", [userID]).map(Self.push) }
    }

    public func pushSubscription(id: String) throws -> PushSubscription? {
        try db.read { try $0.fetchOne("SELECT * FROM push_subscriptions WHERE id = ?", [id]).map(Self.push) }
    }

    /// Removes one; `userID` nil removes it whoever it belongs to (the push service said it is gone).
    @discardableResult
    public func removePush(id: String, userID: String?) throws -> Bool {
        try db.write { db in
            if let userID { return try db.execute("DELETE FROM push_subscriptions WHERE id = ? AND user_id = ?", [id, userID]) > 0 }
            return try db.execute("DELETE FROM push_subscriptions WHERE id = ?", [id]) > 0
        }
    }

    /// The account's verified number, nil when it has none.
    public func verifiedPhone(userID: String) throws -> String? {
        try db.read { try $0.scalar(String.self, "SELECT phone FROM users WHERE id = ? AND phone_verified", [userID]) }
    }

    /// Remembers the code sent to `phone` (its hash), replacing any earlier one.
    public func startPhoneVerification(userID: String, phone: String, codeHash: String, expiresAt: Date) throws {
        try db.write {
            try $0.execute(
                """
                INSERT INTO phone_codes(user_id, phone, code_hash, attempts, expires_at) VALUES (?, ?, ?, 0, ?)
                ON CONFLICT (user_id) DO UPDATE SET phone = excluded.phone, code_hash = excluded.code_hash, attempts = 0, expires_at = excluded.expires_at
                """, [userID, phone, codeHash, expiresAt])
        }
    }

    public func phoneCode(userID: String) throws -> PhoneCode? {
        try db.read { db in
            try db.fetchOne("SELECT phone, code_hash, attempts, expires_at FROM phone_codes WHERE user_id = ?", [userID]).map {
                PhoneCode(phone: try $0.value("phone"), codeHash: try $0.value("code_hash"), attempts: try $0.value("attempts"), expiresAt: try $0.value("expires_at"))
            }
        }
    }

    /// Counts a wrong code.
    public func countPhoneAttempt(userID: String) throws {
        try db.write { try $0.execute("UPDATE phone_codes SET attempts = attempts + 1 WHERE user_id = ?", [userID]) }
    }

    /// The code was right: the number is the account's, verified; the code is spent.
    public func confirmPhone(userID: String, phone: String) throws {
        try db.write { db in
            try db.execute("UPDATE users SET phone = ?, phone_verified = ? WHERE id = ?", [phone, true, userID])
            try db.execute("DELETE FROM phone_codes WHERE user_id = ?", [userID])
        }
    }

    /// Forgets the account's number (it asked, or the gateway said it cannot receive).
    public func removePhone(userID: String) throws {
        try db.write { db in
            try db.execute("UPDATE users SET phone = NULL, phone_verified = ? WHERE id = ?", [false, userID])
            try db.execute("DELETE FROM phone_codes WHERE user_id = ?", [userID])
        }
    }

    static func push(_ row: SQLRow) throws -> PushSubscription {
        PushSubscription(
            id: try row.value("id"), userID: try row.value("user_id"), endpoint: try row.value("endpoint"), p256dh: try row.value("p256dh"),
            auth: try row.value("auth"), userAgent: row["user_agent"], createdAt: try row.value("created_at"))
    }
}

extension KinoraDatabase {
    public var addresses: AddressRepository { AddressRepository(db: sql) }
}
