import Foundation

/// Every query on the channels table. Other services (playlists, subscriptions) find channels
/// here; videos reach theirs through ``VideoRepository``. Runs on both backends.
public struct ChannelRepository: Sendable {
    let db: any SQLDatabase

    /// Roles whose accounts get a default channel (the roles that may upload).
    public static let uploaderRoles: Set<String> = ["creator", "admin"]

    /// Inserts the channel; throws ``HandleTaken`` when the handle exists in any case.
    public func create(_ channel: ChannelRecord) throws {
        do {
            try db.write { try $0.insert(channel, into: ChannelRecord.databaseTableName) }
        } catch SQLError.unique {
            throw HandleTaken(handle: channel.handle)
        }
    }

    public func find(id: String) throws -> ChannelRecord? {
        try db.read { try Self.fetchOne(id: id, $0) }
    }

    /// Case-insensitive, as the column (NOCASE on SQLite, citext on PostgreSQL).
    public func find(handle: String) throws -> ChannelRecord? {
        try db.read { try $0.fetchOne("SELECT * FROM channels WHERE handle = ?", [handle]).map(ChannelRecord.init(row:)) }
    }

    /// The account's channels, oldest (the default one) first; the id breaks ties, so the
    /// order is the same on every read and both backends (the `channels_owner` index's order).
    public func list(ownerID: String) throws -> [ChannelRecord] {
        try db.read {
            try $0.fetchAll("SELECT * FROM channels WHERE owner_id = ? ORDER BY created_at, id", [ownerID]).map(ChannelRecord.init(row:))
        }
    }

    /// The handle of each account's default (oldest) channel, for accounts that have one: what
    /// a comment's `@mention` links to. Owners without a channel are absent.
    public func defaultHandles(ownerIDs: some Collection<String>) throws -> [String: String] {
        guard !ownerIDs.isEmpty else { return [:] }
        let unique = Array(Set(ownerIDs))
        return try db.read { db in
            var handles: [String: String] = [:]
            let rows = try db.fetchAll(
                "SELECT owner_id, handle FROM channels WHERE owner_id IN (\(CatalogSQL.placeholders(unique.count))) ORDER BY created_at, id", unique)
            for row in rows {
                let owner: String = try row.value("owner_id")
                if handles[owner] == nil { handles[owner] = try row.value("handle") }
            }
            return handles
        }
    }

    /// Channels by id, for showing many videos at once.
    public func find(ids: some Collection<String>) throws -> [String: ChannelRecord] {
        try db.read { try Self.fetch(ids: ids, $0) }
    }

    static func fetch(ids: some Collection<String>, _ db: any SQLConnection) throws -> [String: ChannelRecord] {
        guard !ids.isEmpty else { return [:] }
        let unique = Array(Set(ids))
        let channels = try db.fetchAll("SELECT * FROM channels WHERE id IN (\(CatalogSQL.placeholders(unique.count)))", unique)
            .map(ChannelRecord.init(row:))
        return Dictionary(channels.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    static func fetchOne(id: String, _ db: any SQLConnection) throws -> ChannelRecord? {
        try db.fetchOne("SELECT * FROM channels WHERE id = ?", [id]).map(ChannelRecord.init(row:))
    }

    /// The account's default channel (its oldest). One is created when it has none, so an
    /// upload always has a home even after its owner deleted every channel or became a creator.
    public func defaultChannel(for user: UserRecord) throws -> ChannelRecord {
        try db.write { db in
            if let row = try db.fetchOne("SELECT * FROM channels WHERE owner_id = ? ORDER BY created_at, id LIMIT 1", [user.id]) {
                return try ChannelRecord(row: row)
            }
            return try Self.insertDefault(for: user, db)
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
            return try db.write { db in
                guard var channel = try Self.fetchOne(id: id, db) else { return nil }
                let renamed = name != nil && name != channel.name
                if let handle { channel.handle = handle.lowercased() }
                if let name { channel.name = name }
                if let description { channel.description = description }
                try db.execute(
                    "UPDATE channels SET handle = ?, name = ?, description = ? WHERE id = ?", [channel.handle, channel.name, channel.description, id])
                if renamed {
                    let videos = try db.fetchAll("SELECT id FROM videos WHERE channel_id = ?", [id]).map { try $0.value("id", as: String.self) }
                    for video in videos { try VideoSearchIndex.reindex(videoID: video, db) }
                }
                return channel
            }
        } catch SQLError.unique {
            throw HandleTaken(handle: handle ?? "")
        }
    }

    public func videoCount(channelID: String) throws -> Int {
        try db.read { try $0.scalar(Int.self, "SELECT COUNT(*) FROM videos WHERE channel_id = ?", [channelID]) ?? 0 }
    }

    public func videoIDs(channelID: String) throws -> [String] {
        try db.read { try $0.fetchAll("SELECT id FROM videos WHERE channel_id = ?", [channelID]).map { try $0.value("id", as: String.self) } }
    }

    @discardableResult
    public func delete(id: String) throws -> Bool {
        try db.write { try $0.execute("DELETE FROM channels WHERE id = ?", [id]) } > 0
    }
}

extension KinoraDatabase {
    public var channels: ChannelRepository { ChannelRepository(db: sql) }
}

extension UserRecord {
    /// Inserts the account, and its default channel when its role may upload: every path that
    /// makes accounts (the CLI, sign-up, single sign-on) goes through here.
    func insertAccount(_ db: any SQLConnection) throws {
        try db.insert(self, into: Self.databaseTableName)
        if ChannelRepository.uploaderRoles.contains(role) { _ = try ChannelRepository.insertDefault(for: self, db) }
    }
}
