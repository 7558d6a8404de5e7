import Foundation

/// A playlist as stored, with its item count.
public struct PlaylistRecord: Sendable, Hashable {
    public var id: String
    public var ownerID: String
    public var title: String
    public var description: String
    public var visibility: String
    public var itemCount: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, ownerID: String, title: String, description: String, visibility: String, now: Date = Date()) {
        self.id = id
        self.ownerID = ownerID
        self.title = title
        self.description = description
        self.visibility = visibility
        itemCount = 0
        // Whole seconds: what the database keeps is what the API answers.
        createdAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        updatedAt = createdAt
    }

    init(row: SQLRow) throws {
        id = try row.value("id")
        ownerID = try row.value("owner_id")
        title = try row.value("title")
        description = try row.value("description")
        visibility = try row.value("visibility")
        itemCount = row["item_count"] ?? 0
        createdAt = try row.value("created_at")
        updatedAt = try row.value("updated_at")
    }
}

/// One entry of a playlist, in order.
public struct PlaylistItem: Sendable, Hashable {
    public var videoID: String
    public var position: Int
    public var addedAt: Date
}

/// One page of playlists, newest first (by creation, then by id).
public struct PlaylistPage: Sendable {
    public var playlists: [PlaylistRecord]
    public var nextCursor: String?
}

/// Why a change to a playlist's items was refused.
public enum PlaylistChangeError: Error, Equatable {
    case notFound
    case alreadyInPlaylist
    case full(limit: Int)
    case positionOutOfRange(count: Int)
    case notAPermutation
}

/// Every query on playlists and playlist_items. Positions are kept 0…n-1 in order. Runs on
/// both backends; every change to a playlist's items first takes the playlist
/// (``lock(_:_:)``), so the item cap and the positions hold on PostgreSQL as they do under
/// SQLite's single writer.
public struct PlaylistRepository: Sendable {
    let db: any SQLDatabase
    public static let maxItems = 5000

    static let select = "SELECT p.*, (SELECT COUNT(*) FROM playlist_items i WHERE i.playlist_id = p.id) AS item_count FROM playlists p"

    public func create(_ playlist: PlaylistRecord) throws {
        try db.write { db in
            try db.execute(
                "INSERT INTO playlists(id, owner_id, title, description, visibility, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    playlist.id, playlist.ownerID, playlist.title, playlist.description, playlist.visibility,
                    playlist.createdAt, playlist.updatedAt,
                ])
        }
    }

    public func find(_ id: String) throws -> PlaylistRecord? {
        try db.read { try $0.fetchOne(Self.select + " WHERE p.id = ?", [id]).map(PlaylistRecord.init) }
    }

    /// Changes what is given; nil when the playlist is gone.
    public func update(_ id: String, title: String?, description: String?, visibility: String?, now: Date = Date()) throws -> PlaylistRecord? {
        try db.write { db in
            for (column, value) in [("title", title), ("description", description), ("visibility", visibility)] {
                guard let value else { continue }
                try db.execute("UPDATE playlists SET \(column) = ? WHERE id = ?", [value, id])
            }
            try Self.touch(db, id, now)
            return try db.fetchOne(Self.select + " WHERE p.id = ?", [id]).map(PlaylistRecord.init)
        }
    }

    @discardableResult
    public func delete(_ id: String) throws -> Bool {
        try db.write { try $0.execute("DELETE FROM playlists WHERE id = ?", [id]) } > 0
    }

    /// The items in order.
    public func items(_ id: String) throws -> [PlaylistItem] {
        try db.read { db in
            try db.fetchAll(
                "SELECT video_id, position, added_at FROM playlist_items WHERE playlist_id = ? ORDER BY position, added_at, video_id", [id]
            ).map { try PlaylistItem(videoID: $0.value("video_id"), position: $0.value("position"), addedAt: $0.value("added_at")) }
        }
    }

    /// Adds the video at `position` (0 first; nil: at the end), moving later items down.
    /// Throws ``PlaylistChangeError`` for what the caller can correct.
    public func add(_ id: String, videoID: String, position: Int?, now: Date = Date()) throws {
        do {
            try db.write { db in
                guard try Self.lock(db, id) else { throw PlaylistChangeError.notFound }
                try Self.compact(db, id)
                let count = try db.scalar(Int.self, "SELECT COUNT(*) FROM playlist_items WHERE playlist_id = ?", [id]) ?? 0
                guard count < Self.maxItems else { throw PlaylistChangeError.full(limit: Self.maxItems) }
                if try db.fetchOne("SELECT 1 FROM playlist_items WHERE playlist_id = ? AND video_id = ?", [id, videoID]) != nil {
                    throw PlaylistChangeError.alreadyInPlaylist
                }
                let at = position ?? count
                guard (0...count).contains(at) else { throw PlaylistChangeError.positionOutOfRange(count: count) }
                try db.execute("UPDATE playlist_items SET position = position + 1 WHERE playlist_id = ? AND position >= ?", [id, at])
                try db.execute("INSERT INTO playlist_items(playlist_id, video_id, position, added_at) VALUES (?, ?, ?, ?)", [id, videoID, at, now])
                try Self.touch(db, id, now)
            }
        } catch SQLError.constraint {
            // The video was deleted meanwhile (its foreign key).
            throw PlaylistChangeError.notFound
        }
    }

    /// Removes the video; returns whether it was in the playlist.
    @discardableResult
    public func remove(_ id: String, videoID: String, now: Date = Date()) throws -> Bool {
        try db.write { db in
            guard try Self.lock(db, id) else { return false }
            guard try db.execute("DELETE FROM playlist_items WHERE playlist_id = ? AND video_id = ?", [id, videoID]) > 0 else { return false }
            try Self.compact(db, id)
            try Self.touch(db, id, now)
            return true
        }
    }

    /// Puts the items in the order given, which must name each current item exactly once.
    public func reorder(_ id: String, videoIDs: [String], now: Date = Date()) throws {
        try db.write { db in
            _ = try Self.lock(db, id)
            let current: [String] = try db.fetchAll("SELECT video_id FROM playlist_items WHERE playlist_id = ?", [id]).map {
                try $0.value("video_id")
            }
            guard videoIDs.count == current.count, Set(videoIDs) == Set(current), Set(videoIDs).count == videoIDs.count else {
                throw PlaylistChangeError.notAPermutation
            }
            for (position, videoID) in videoIDs.enumerated() {
                try db.execute("UPDATE playlist_items SET position = ? WHERE playlist_id = ? AND video_id = ?", [position, id, videoID])
            }
            try Self.touch(db, id, now)
        }
    }

    /// An owner's playlists, newest first; `publicOnly` for what others may list. Creation
    /// times are whole seconds, so playlists made in the same second follow by id, on both
    /// engines. The cursor is the last playlist's creation (Unix milliseconds) and id.
    public func list(ownerID: String, publicOnly: Bool, limit: Int, cursor: String?) throws -> PlaylistPage {
        var after: (Date, String)?
        if let cursor {
            let parts = cursor.split(separator: "-", maxSplits: 1).map(String.init)
            guard parts.count == 2, let ms = Int64(parts[0]), ms >= 0, !parts[1].isEmpty, parts[1].count <= 64 else { throw InvalidCursor() }
            after = (Date(timeIntervalSince1970: Double(ms) / 1000), parts[1])
        }
        return try db.read { db in
            var sql = Self.select + " WHERE p.owner_id = ?"
            var arguments: [any SQLBindable] = [ownerID]
            if publicOnly { sql += " AND p.visibility = 'public'" }
            if let after {
                sql += " AND (p.created_at, p.id) < (?, ?)"
                arguments += [after.0, after.1]
            }
            sql += " ORDER BY p.created_at DESC, p.id DESC LIMIT ?"
            arguments.append(limit + 1)
            let playlists = try db.fetchAll(sql, arguments).map(PlaylistRecord.init)
            let page = Array(playlists.prefix(limit))
            var next: String?
            if playlists.count > limit, let last = page.last {
                next = "\(Int64((last.createdAt.timeIntervalSince1970 * 1000).rounded()))-\(last.id)"
            }
            return PlaylistPage(playlists: page, nextCursor: next)
        }
    }

    /// Takes the playlist for a change of its items; false when it does not exist. SQLite's
    /// single writer already serialises every change. PostgreSQL (READ COMMITTED) locks the
    /// playlist's row, so two nodes adding at once cannot both pass the cap or take one
    /// position, and a renumbering never interleaves with another change.
    static func lock(_ db: any SQLConnection, _ id: String) throws -> Bool {
        let lock = db.dialect == .postgres ? " FOR UPDATE" : ""
        return try db.fetchOne("SELECT id FROM playlists WHERE id = ?" + lock, [id]) != nil
    }

    /// Renumbers the items 0…n-1 in their order (a deleted video leaves a gap).
    static func compact(_ db: any SQLConnection, _ id: String) throws {
        let rows = try db.fetchAll(
            "SELECT video_id, position FROM playlist_items WHERE playlist_id = ? ORDER BY position, added_at, video_id", [id])
        for (position, row) in rows.enumerated() {
            let (stored, videoID): (Int, String) = (try row.value("position"), try row.value("video_id"))
            guard stored != position else { continue }
            try db.execute("UPDATE playlist_items SET position = ? WHERE playlist_id = ? AND video_id = ?", [position, id, videoID])
        }
    }

    static func touch(_ db: any SQLConnection, _ id: String, _ now: Date) throws {
        try db.execute("UPDATE playlists SET updated_at = ? WHERE id = ?", [now, id])
    }
}

extension KinoraDatabase {
    public var playlists: PlaylistRepository { PlaylistRepository(db: sql) }
}
