import Foundation

/// A message waiting in the outbox, as claimed for one delivery attempt.
public struct OutboxMessage: Sendable, Equatable {
    public var id: Int64
    /// Unique per (event occurrence, recipient, channel); the plugin passes it on to the
    /// provider, so a message sent again after a crash is recognised there.
    public var idempotencyKey: String
    public var userID: String?
    public var event: String
    /// The channel: the name of the `kinora.notify/1` instance that delivers it.
    public var channel: String
    /// Which of the recipient's addresses, when they have several (a Web Push subscription's id).
    public var addressID: String?
    /// The event's data as a JSON object; the message is rendered from it at delivery time.
    public var data: String
    public var state: String
    /// Attempts so far, this one included.
    public var attempts: Int
    public var lastError: String?
    public var providerID: String?
    public var createdAt: Date
    public var updatedAt: Date
}

/// Where a fan-out finds its recipients: the subscribers of a channel, or given accounts.
public enum OutboxAudience: Sendable {
    case subscribers(channelID: String)
    case users([String])
}

/// Which address of each recipient a channel delivers to: it also decides who has one.
public enum OutboxAddressing: Sendable {
    /// The account's verified mail address.
    case email
    /// The account's verified phone number.
    case phone
    /// Each of the account's Web Push subscriptions: one message per browser.
    case pushSubscriptions
}

/// One channel of a fan-out: the instance that delivers, the preference kind that decides
/// (`email`, `webpush`, `phone`) with its default, and the address it needs.
public struct OutboxDelivery: Sendable {
    public var channel: String
    public var kind: String
    public var byDefault: Bool
    public var addressing: OutboxAddressing

    public init(channel: String, kind: String, byDefault: Bool, addressing: OutboxAddressing) {
        self.channel = channel
        self.kind = kind
        self.byDefault = byDefault
        self.addressing = addressing
    }
}

/// What one slice of a fan-out did.
public struct FanOutSlice: Sendable, Equatable {
    /// Outbox messages added (the inbox rows are not counted).
    public var added: Int
    /// The account to continue after; nil when the audience is done.
    public var next: String?
}

/// The outbox every notification channel but the inbox delivers from: a row per message,
/// claimed with a lease, retried with backoff, finished as delivered, failed or dropped. A
/// daemon killed mid-delivery leaves its rows `sending` with a lease that runs out, and the
/// next claim sends them again under the same idempotency key. Runs on both backends: on
/// PostgreSQL, nodes claim with `FOR UPDATE SKIP LOCKED`.
public struct OutboxRepository: Sendable {
    let db: any SQLDatabase

    /// Events whose data holds a secret (a password-reset link): emptied once the message is
    /// finished, so the outbox does not keep a working link after it is sent.
    static let secretEvents = "'account.password_reset'"

    static let columns =
        "id, idempotency_key, user_id, event, channel, address_id, data, state, attempts, last_error, provider_id, created_at, updated_at"

    /// Adds one message; false when one with that key exists (the event was raised before).
    @discardableResult
    public func enqueue(key: String, userID: String?, event: String, channel: String, data: String, now: Date = Date()) throws -> Bool {
        try db.write { db in
            try db.execute(
                """
                INSERT INTO notification_outbox(idempotency_key, user_id, event, channel, data, next_attempt_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING
                """, [key, userID, event, channel, data, now, now, now]) > 0
        }
    }

    /// One message per account of `audience` who hears of `event` on each delivery's kind (its
    /// stored choice, else the default) and has the address it needs, in one statement per
    /// channel: 5,000 subscribers are one INSERT … SELECT, not 5,000 round trips. Keys are
    /// `keyPrefix` + channel + account (+ subscription). Also puts the in-app notification in
    /// each hearing account's inbox when `inApp` is set (with its own preference under kind
    /// `in_app`).
    ///
    /// Works a slice at a time, in one transaction each: a channel's subscribers after `after`
    /// in account id order, at most `limit` of them (given accounts are one slice). A slice is
    /// a short write, so a channel with 100,000 subscribers never holds the writer for a
    /// second, and the caller can pace the slices and keep its place across a restart.
    /// Returns the messages added and the account to continue after, nil when done. With
    /// `progress`, the fan-out's row in ``FanoutRepository`` moves on in the same transaction.
    @discardableResult
    public func fanOut(
        _ audience: OutboxAudience, event: String, data: String, keyPrefix: String, deliveries: [OutboxDelivery], inApp: Bool?,
        after: String? = nil, limit: Int = 5_000, progress: String? = nil, now: Date = Date()
    ) throws -> FanOutSlice {
        try db.write { db in
            try db.yieldingCPU {
                try fanOutSlice(
                    db, audience, event: event, data: data, keyPrefix: keyPrefix, deliveries: deliveries, inApp: inApp, after: after, limit: limit,
                    progress: progress, now: now)
            }
        }
    }

    private func fanOutSlice(
        _ db: any SQLConnection, _ audience: OutboxAudience, event: String, data: String, keyPrefix: String, deliveries: [OutboxDelivery], inApp: Bool?,
        after: String?, limit: Int, progress: String?, now: Date
    ) throws -> FanOutSlice {
        let from: String
        let who: String
        let audienceArguments: [any SQLBindable]
        var next: String?
        switch audience {
        case .users(let ids):
            from = "users u"
            who = ids.isEmpty ? "1 = 0" : "u.id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ", ")))"
            audienceArguments = ids
        case .subscribers(let channelID):
            // The slice ends at its last account: the limit-th after `after`, or the very last.
            let start = after ?? ""
            let last =
                try db.scalar(
                    String.self, "SELECT user_id FROM subscriptions WHERE channel_id = ? AND user_id > ? ORDER BY user_id LIMIT 1 OFFSET ?",
                    [channelID, start, limit - 1])
            guard
                let end = try last
                    ?? db.scalar(String.self, "SELECT MAX(user_id) FROM subscriptions WHERE channel_id = ? AND user_id > ?", [channelID, start])
            else {
                if let progress { try FanoutRepository.advance(db, key: progress, to: nil, now: now) }
                return FanOutSlice(added: 0, next: nil)
            }
            next = last
            from = "subscriptions s JOIN users u ON u.id = s.user_id"
            who = "s.channel_id = ? AND s.user_id > ? AND s.user_id <= ?"
            audienceArguments = [channelID, start, end]
        }
        var added = 0
        for delivery in deliveries {
            let hears = NotificationPreferenceRepository.hearsCondition(userColumn: "u.id", byDefault: delivery.byDefault)
            let (join, key, address, reachable): (String, String, String, String) =
                switch delivery.addressing {
                case .email: ("", "u.id", "NULL", " AND u.email IS NOT NULL AND u.email_verified")
                case .phone: ("", "u.id", "NULL", " AND u.phone IS NOT NULL AND u.phone_verified")
                case .pushSubscriptions: (" JOIN push_subscriptions ps ON ps.user_id = u.id", "u.id || '-' || ps.id", "ps.id", "")
                }
            added += try db.execute(
                """
                INSERT INTO notification_outbox(idempotency_key, user_id, event, channel, address_id, data, next_attempt_at, created_at, updated_at)
                SELECT ? || \(key), u.id, ?, ?, \(address), ?, ?, ?, ? FROM \(from)\(join) WHERE \(who) AND \(hears)\(reachable)
                ON CONFLICT (idempotency_key) DO NOTHING
                """,
                [keyPrefix + delivery.channel + "-", event, delivery.channel, data, now, now, now] + audienceArguments + [event, delivery.kind])
        }
        if let inApp {
            let hears = NotificationPreferenceRepository.hearsCondition(userColumn: "u.id", byDefault: inApp)
            try db.execute(
                """
                INSERT INTO notifications(user_id, event, dedupe_key, data, created_at)
                SELECT u.id, ?, ? || u.id, ?, ? FROM \(from) WHERE \(who) AND \(hears)
                ON CONFLICT (dedupe_key) DO NOTHING
                """, [event, keyPrefix + "in_app-", data, now] + audienceArguments + [event, "in_app"])
        }
        if let progress { try FanoutRepository.advance(db, key: progress, to: next, now: now) }
        return FanOutSlice(added: added, next: next)
    }

    /// Claims up to `limit` due messages for `lease` seconds: pending ones whose time has
    /// come, and `sending` ones whose lease ran out (their sender died).
    public func claim(limit: Int, lease: TimeInterval, now: Date = Date()) throws -> [OutboxMessage] {
        try db.write { db in
            let due = """
                SELECT id FROM notification_outbox
                WHERE state IN ('pending', 'sending') AND next_attempt_at <= ? AND (state = 'pending' OR lease_until < ?)
                ORDER BY next_attempt_at, id LIMIT ?
                """
            let lock = db.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
            return try db.fetchAll(
                """
                UPDATE notification_outbox SET state = 'sending', attempts = attempts + 1, lease_until = ?, updated_at = ?
                WHERE id IN (\(due)\(lock)) RETURNING \(Self.columns)
                """, [now.addingTimeInterval(lease), now, now, now, limit]
            ).map(Self.message).sorted { $0.id < $1.id }
        }
    }

    /// The provider took the message.
    public func delivered(_ id: Int64, providerID: String?, now: Date = Date()) throws {
        try finish(id, state: "delivered", error: nil, providerID: providerID, now: now)
    }

    /// Not now: due again at `at`.
    public func retry(_ id: Int64, reason: String, at: Date, now: Date = Date()) throws {
        try db.write {
            try $0.execute(
                """
                UPDATE notification_outbox SET state = 'pending', next_attempt_at = ?, lease_until = NULL, last_error = ?, updated_at = ?
                WHERE id = ? AND state = 'sending'
                """, [at, String(reason.prefix(500)), now, id])
        }
    }

    /// Never: `failed` (the provider refused, or the attempts ran out) or `dropped` (nothing
    /// to send: the recipient has no address for the channel any more, or chose not to hear).
    public func finish(_ id: Int64, state: String, error: String?, providerID: String? = nil, now: Date = Date()) throws {
        try db.write {
            try $0.execute(
                """
                UPDATE notification_outbox SET state = ?, lease_until = NULL, last_error = ?, provider_id = ?, updated_at = ?,
                       data = CASE WHEN event IN (\(Self.secretEvents)) THEN '{}' ELSE data END
                WHERE id = ? AND state = 'sending'
                """, [state, error.map { String($0.prefix(500)) }, providerID, now, id])
        }
    }

    /// The delivery log, newest first, filtered by state, channel and event when given.
    public func log(state: String?, channel: String?, event: String?, limit: Int, before: Int64? = nil) throws -> [OutboxMessage] {
        var conditions: [String] = []
        var arguments: [any SQLBindable] = []
        if let state { conditions.append("state = ?"); arguments.append(state) }
        if let channel { conditions.append("channel = ?"); arguments.append(channel) }
        if let event { conditions.append("event = ?"); arguments.append(event) }
        if let before { conditions.append("id < ?"); arguments.append(before) }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try db.read { db in
            try db.fetchAll("SELECT \(Self.columns) FROM notification_outbox \(filter) ORDER BY id DESC LIMIT ?", arguments + [limit]).map(Self.message)
        }
    }

    /// Messages per state.
    public func counts() throws -> [String: Int] {
        try db.read { db in
            var counts: [String: Int] = [:]
            for row in try db.fetchAll("SELECT state, COUNT(*) AS n FROM notification_outbox GROUP BY state") {
                counts[try row.value("state")] = try row.value("n")
            }
            return counts
        }
    }

    /// When the next pending message is due, nil when none is.
    public func nextDue() throws -> Date? {
        try db.read { try $0.scalar(Date.self, "SELECT MIN(next_attempt_at) FROM notification_outbox WHERE state IN ('pending', 'sending')") }
    }

    static func message(_ row: SQLRow) throws -> OutboxMessage {
        OutboxMessage(
            id: try row.value("id"), idempotencyKey: try row.value("idempotency_key"), userID: row["user_id"], event: try row.value("event"),
            channel: try row.value("channel"), addressID: row["address_id"], data: try row.value("data"), state: try row.value("state"), attempts: try row.value("attempts"),
            lastError: row["last_error"], providerID: row["provider_id"], createdAt: try row.value("created_at"),
            updatedAt: try row.value("updated_at"))
    }
}

extension KinoraDatabase {
    public var outbox: OutboxRepository { OutboxRepository(db: sql) }
}

extension OutboxRepository {
    /// Puts every `sending` message back to pending, due now: for a node that knows no other
    /// node can be sending them (SQLite). Returns how many.
    public func releaseInterrupted(now: Date = Date()) throws -> Int {
        try db.write {
            try $0.execute(
                "UPDATE notification_outbox SET state = 'pending', lease_until = NULL, next_attempt_at = ?, updated_at = ? WHERE state = 'sending'",
                [now, now])
        }
    }
}
