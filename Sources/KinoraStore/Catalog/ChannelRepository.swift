import Foundation
import GRDB

/// Every query on the channels table. Other services (playlists, subscriptions) find channels
/// here; videos reach theirs through ``VideoRepository``.
public struct ChannelRepository: Sendable {
    let writer: DatabasePool

    /// Roles whose accounts get a default channel (the roles that may upload).
    public static let uploaderRoles: Set<String> = ["creator", "admin"]

    /// Inserts the channel; throws ``HandleTaken`` when the handle exists in any case.
    public func create(_ channel: ChannelRecord) throws {
        do {
            try writer.write { try channel.insert($0) }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw HandleTaken(handle: channel.handle)
        }
    }

    public func find(id: String) throws -> ChannelRecord? {
        try writer.read { try ChannelRecord.fetchOne($0, key: id) }
    }

    /// Case-insensitive, as the column's collation.
    public func find(handle: String) throws -> ChannelRecord? {
        try writer.read { try ChannelRecord.fetchOne($0, sql: "SELECT * FROM channels WHERE handle = ?", arguments: [handle]) }
    }

    /// The account's channels, oldest (the default one) first; insertion order breaks ties.
    public func list(ownerID: String) throws -> [ChannelRecord] {
        try writer.read {
            try ChannelRecord.fetchAll($0, sql: "SELECT * FROM channels WHERE owner_id = ? ORDER BY created_at, rowid", arguments: [ownerID])
        }
    }

    /// Channels by id, for showing many videos at once.
    public func find(ids: some Collection<String>) throws -> [String: ChannelRecord] {
        try writer.read { try Self.fetch(ids: ids, $0) }
    }

    static func fetch(ids: some Collection<String>, _ db: Database) throws -> [String: ChannelRecord] {
        guard !ids.isEmpty else { return [:] }
        let channels = try ChannelRecord.fetchAll(db, keys: Array(Set(ids)))
        return Dictionary(channels.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The account's default channel (its oldest). One is created when it has none, so an
    /// upload always has a home even after its owner deleted every channel or became a creator.
    public func defaultChannel(for user: UserRecord) throws -> ChannelRecord {
        try writer.write { db in
            if let channel = try ChannelRecord.fetchOne(
                db, sql: "SELECT * FROM channels WHERE owner_id = ? ORDER BY created_at, rowid LIMIT 1",
                arguments: [user.id])
            {
                return channel
            }
            return try Self.insertDefault(for: user, SQLiteConnection(db: db))
        }
    }

    /// Creates the default channel inside the caller's transaction: handle from the username
    /// (with a numeric suffix if another channel took it), name from the display name.
    @discardableResult
    static func insertDefault(for user: UserRecord, _ db: any SQLConnection) throws -> ChannelRecord {
        let base = user.username.lowercased()
        for attempt in 1...1000 {
            let suffix = attempt == 1 ? "" : "-\(attempt)"
            let handle = String(base.prefix(32 - suffix.count)) + suffix
            if try db.scalar(Int.self, "SELECT 1 FROM channels WHERE handle = ?", [handle]) == 1 { continue }
            let channel = ChannelRecord(ownerID: user.id, handle: handle, name: String(user.displayName.prefix(ChannelRecord.maxNameLength)))
            try db.insert(channel, into: ChannelRecord.databaseTableName)
            return channel
        }
        throw HandleTaken(handle: base)
    }

    /// Changes what is given; a new name is re-indexed for search in the same transaction.
    /// Returns the channel as stored afterwards, nil when it does not exist.
    public func update(id: String, handle: String? = nil, name: String? = nil, description: String? = nil) throws -> ChannelRecord? {
        do {
            return try writer.write { db in
                guard var channel = try ChannelRecord.fetchOne(db, key: id) else { return nil }
                let renamed = name != nil && name != channel.name
                if let handle { channel.handle = handle.lowercased() }
                if let name { channel.name = name }
                if let description { channel.description = description }
                try channel.update(db)
                if renamed {
                    let videos = try String.fetchAll(db, sql: "SELECT id FROM videos WHERE channel_id = ?", arguments: [id])
                    for video in videos { try VideoSearchIndex.reindex(videoID: video, db) }
                }
                return channel
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw HandleTaken(handle: handle ?? "")
        }
    }

    public func videoCount(channelID: String) throws -> Int {
        try writer.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM videos WHERE channel_id = ?", arguments: [channelID]) ?? 0 }
    }

    public func videoIDs(channelID: String) throws -> [String] {
        try writer.read { try String.fetchAll($0, sql: "SELECT id FROM videos WHERE channel_id = ?", arguments: [channelID]) }
    }

    @discardableResult
    public func delete(id: String) throws -> Bool {
        try writer.write { try ChannelRecord.deleteOne($0, key: id) }
    }
}

extension KinoraDatabase {
    public var channels: ChannelRepository { ChannelRepository(writer: writer) }
}

extension UserRecord {
    /// Inserts the account, and its default channel when its role may upload: every path that
    /// makes accounts (the CLI, sign-up, single sign-on) goes through here.
    func insertAccount(_ db: any SQLConnection) throws {
        try db.insert(self, into: Self.databaseTableName)
        if ChannelRepository.uploaderRoles.contains(role) { _ = try ChannelRepository.insertDefault(for: self, db) }
    }
}
