import Foundation

/// One page of an account's subscriptions, most recent first.
public struct SubscriptionPage: Sendable {
    public var channels: [(channel: ChannelRecord, subscribedAt: Date)]
    public var nextCursor: String?
}

/// One page of the subscriptions feed, newest first.
public struct FeedPage: Sendable {
    public var items: [VideoDetails]
    public var nextCursor: String?
}

/// Channel subscriptions and the feed made of them. Runs on both backends.
public struct SubscriptionRepository: Sendable {
    let db: any SQLDatabase

    /// Returns whether the subscription is new; throws ``UnknownChannel`` when the channel is gone.
    @discardableResult
    public func subscribe(userID: String, channelID: String, now: Date = Date()) throws -> Bool {
        do {
            return try db.write {
                try $0.execute(
                    "INSERT INTO subscriptions(user_id, channel_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [userID, channelID, now])
            } > 0
        } catch SQLError.constraint {
            // The channel's foreign key (the account is the caller's own, so it exists).
            throw UnknownChannel()
        }
    }

    /// Returns whether there was a subscription.
    @discardableResult
    public func unsubscribe(userID: String, channelID: String) throws -> Bool {
        try db.write { try $0.execute("DELETE FROM subscriptions WHERE user_id = ? AND channel_id = ?", [userID, channelID]) } > 0
    }

    public func isSubscribed(userID: String, channelID: String) throws -> Bool {
        try db.read { try $0.scalar(Int.self, "SELECT 1 FROM subscriptions WHERE user_id = ? AND channel_id = ?", [userID, channelID]) } == 1
    }

    /// Subscribers of the channel (an index range count).
    public func count(channelID: String) throws -> Int {
        try db.read { try $0.scalar(Int.self, "SELECT COUNT(*) FROM subscriptions WHERE channel_id = ?", [channelID]) } ?? 0
    }

    /// The channels the account follows, most recently subscribed first.
    public func list(userID: String, limit: Int, cursor: String?) throws -> SubscriptionPage {
        let after = try cursor.map(FeedCursor.init(encoded:))
        return try db.read { db in
            var sql = """
                SELECT c.*, s.created_at AS subscribed_at FROM subscriptions s JOIN channels c ON c.id = s.channel_id
                WHERE s.user_id = ?
                """
            var arguments: [any SQLBindable] = [userID]
            if let after {
                sql += " AND (s.created_at, s.channel_id) < (?, ?)"
                arguments += [after.key, after.id]
            }
            sql += " ORDER BY s.created_at DESC, s.channel_id DESC LIMIT ?"
            arguments.append(limit + 1)
            let rows = try db.fetchAll(sql, arguments)
            let channels = try rows.prefix(limit).map { (try ChannelRecord(row: $0), try $0.value("subscribed_at", as: Date.self)) }
            let next =
                rows.count > limit ? FeedCursor(key: try rows[limit - 1].value("subscribed_at"), id: try rows[limit - 1].value("id")).encoded : nil
            return SubscriptionPage(channels: channels, nextCursor: next)
        }
    }

    /// The newest public, published videos of the channels the account follows. The query
    /// walks the account's subscriptions (primary key) into each channel's `videos_channel`
    /// range, bounded by the cursor, so its cost follows the followed channels, not the catalog.
    public func feed(userID: String, limit: Int, cursor: String?, now: Date = Date()) throws -> FeedPage {
        let after = try cursor.map(FeedCursor.init(encoded:))
        return try db.read { db in
            let (sql, arguments) = Self.feedSQL(userID: userID, limit: limit, dialect: db.dialect, after: after, now: now)
            let rows = try db.fetchAll(sql, arguments)
            let page = Array(rows.prefix(limit))
            let next = rows.count > limit ? FeedCursor(key: try rows[limit - 1].value("listed_at"), id: try rows[limit - 1].value("id")).encoded : nil
            return FeedPage(items: try VideoDetails.load(page, db, now: now), nextCursor: next)
        }
    }

    /// The feed's SQL for `dialect`; public for the query-plan test.
    public static func feedSQL(userID: String, limit: Int, dialect: SQLDialect, after: FeedCursor? = nil, now: Date = Date()) -> (String, [SQLValue])
    {
        // SQLite's CROSS JOIN fixes the order: left alone, SQLite walks every public video
        // newest first and probes the subscriptions, which reads the whole catalog for an
        // account that follows a few quiet channels. PostgreSQL has no such join with ON, and
        // plans the order from its statistics.
        let join = dialect == .sqlite ? "CROSS JOIN" : "JOIN"
        var sql = """
            SELECT v.* FROM subscriptions s \(join) videos v ON v.channel_id = s.channel_id
            WHERE s.user_id = ? AND v.visibility = 'public' AND v.listed_at <= ? AND NOT v.moderation_hold
            """
        var arguments: [any SQLBindable] = [userID, now]
        if let after {
            sql += " AND (v.listed_at, v.id) < (?, ?)"
            arguments += [after.key, after.id]
        }
        sql += " ORDER BY v.listed_at DESC, v.id DESC LIMIT ?"
        arguments.append(limit + 1)
        return (sql, arguments.map(\.sqlValue))
    }

    public struct UnknownChannel: Error {}
}

/// A position in a newest-first list: the time of the last item shown and its id, opaque
/// to clients (base64url).
public struct FeedCursor: Sendable {
    var key: Date
    var id: String

    init(key: Date, id: String) {
        self.key = key
        self.id = id
    }

    public init(encoded: String) throws {
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard encoded.count <= 200, let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
            let bar = text.firstIndex(of: "|"), let millis = Int64(text[..<bar]), !text[text.index(after: bar)...].isEmpty
        else {
            throw InvalidCursor()
        }
        key = Date(timeIntervalSince1970: Double(millis) / 1000)
        id = String(text[text.index(after: bar)...])
    }

    var encoded: String {
        Data("\(Int64((key.timeIntervalSince1970 * 1000).rounded()))|\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

}

extension KinoraDatabase {
    public var subscriptions: SubscriptionRepository { SubscriptionRepository(db: sql) }
}
