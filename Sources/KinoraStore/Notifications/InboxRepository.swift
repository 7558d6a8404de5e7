import Foundation

/// One in-app notification.
public struct InboxItem: Sendable, Equatable {
    public var id: Int64
    public var userID: String
    public var event: String
    /// The event's ids and texts (`video_id`, `comment_id`, `actor`, …) as a JSON object.
    public var data: String
    public var createdAt: Date
    public var readAt: Date?
}

/// One page of an inbox, newest first.
public struct InboxPage: Sendable {
    public var items: [InboxItem]
    public var nextCursor: String?
    public var unreadCount: Int
}

/// The in-app channel: each account's inbox. A row per (event occurrence, account), made once
/// however often the event is raised (`dedupe_key` is unique). Runs on both backends.
public struct InboxRepository: Sendable {
    let db: any SQLDatabase

    static let columns = "id, user_id, event, data, created_at, read_at"

    /// Adds a notification; false when this occurrence was already delivered to the account.
    @discardableResult
    public func add(userID: String, event: String, dedupeKey: String, data: String, now: Date = Date()) throws -> Bool {
        try db.write { try Self.add(userID: userID, event: event, dedupeKey: dedupeKey, data: data, now: now, $0) }
    }

    static func add(userID: String, event: String, dedupeKey: String, data: String, now: Date, _ db: any SQLConnection) throws -> Bool {
        try db.execute(
            "INSERT INTO notifications(user_id, event, dedupe_key, data, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
            [userID, event, dedupeKey, data, now]) > 0
    }

    /// Newest first, `limit` at a time; the cursor is the last id handed out.
    public func page(userID: String, limit: Int, cursor: String?) throws -> InboxPage {
        var before = Int64.max
        if let cursor {
            guard let value = Int64(cursor), value > 0 else { throw InvalidCursor() }
            before = value
        }
        return try db.read { db in
            let rows = try db.fetchAll(
                "SELECT \(Self.columns) FROM notifications WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ?", [userID, before, limit + 1])
            let items = try rows.prefix(limit).map(Self.item)
            let unread = try db.scalar(Int.self, "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL", [userID]) ?? 0
            return InboxPage(items: items, nextCursor: rows.count > limit ? items.last.map { String($0.id) } : nil, unreadCount: unread)
        }
    }

    /// What arrived after `id`, oldest first: what a live stream sends, resuming from the
    /// `Last-Event-ID` a client reconnects with.
    public func after(userID: String, id: Int64, limit: Int = 100) throws -> [InboxItem] {
        try db.read { db in
            try db.fetchAll("SELECT \(Self.columns) FROM notifications WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?", [userID, id, limit])
                .map(Self.item)
        }
    }

    /// The newest id of the account's inbox, 0 when empty.
    public func latestID(userID: String) throws -> Int64 {
        try db.read { try $0.scalar(Int64.self, "SELECT MAX(id) FROM notifications WHERE user_id = ?", [userID]) } ?? 0
    }

    public func unreadCount(userID: String) throws -> Int {
        try db.read { try $0.scalar(Int.self, "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL", [userID]) } ?? 0
    }

    /// Marks one of the account's notifications read; false when it has none with that id.
    public func markRead(userID: String, id: Int64, now: Date = Date()) throws -> Bool {
        try db.write { db in
            guard try db.fetchOne("SELECT id FROM notifications WHERE id = ? AND user_id = ?", [id, userID]) != nil else { return false }
            try db.execute("UPDATE notifications SET read_at = ? WHERE id = ? AND read_at IS NULL", [now, id])
            return true
        }
    }

    /// Marks every unread notification of the account read; returns how many.
    @discardableResult
    public func markAllRead(userID: String, now: Date = Date()) throws -> Int {
        try db.write { try $0.execute("UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL", [now, userID]) }
    }

    static func item(_ row: SQLRow) throws -> InboxItem {
        InboxItem(
            id: try row.value("id"), userID: try row.value("user_id"), event: try row.value("event"), data: try row.value("data"),
            createdAt: try row.value("created_at"), readAt: row["read_at"])
    }
}

extension KinoraDatabase {
    public var inbox: InboxRepository { InboxRepository(db: sql) }
}
