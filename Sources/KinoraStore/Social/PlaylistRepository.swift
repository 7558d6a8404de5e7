import Foundation
import GRDB

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

    init(row: Row) {
        id = row["id"]
        ownerID = row["owner_id"]
        title = row["title"]
        description = row["description"]
        visibility = row["visibility"]
        itemCount = row["item_count"] ?? 0
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
    }
}

/// One entry of a playlist, in order.
public struct PlaylistItem: Sendable, Hashable {
    public var videoID: String
    public var position: Int
    public var addedAt: Date
}

/// One page of playlists, newest first.
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

/// Every query on playlists and playlist_items. Positions are kept 0…n-1 in order.
public struct PlaylistRepository: Sendable {
    let writer: DatabasePool
    public static let maxItems = 5000

    static let select = "SELECT p.*, (SELECT COUNT(*) FROM playlist_items i WHERE i.playlist_id = p.id) AS item_count FROM playlists p"

    public func create(_ playlist: PlaylistRecord) throws {
        try writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO playlists(id, owner_id, title, description, visibility, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    playlist.id, playlist.ownerID, playlist.title, playlist.description, playlist.visibility,
                    playlist.createdAt, playlist.updatedAt,
                ])
        }
    }

    public func find(_ id: String) throws -> PlaylistRecord? {
        try writer.read { try Row.fetchOne($0, sql: Self.select + " WHERE p.id = ?", arguments: [id]).map(PlaylistRecord.init) }
    }

    /// Changes what is given; nil when the playlist is gone.
    public func update(_ id: String, title: String?, description: String?, visibility: String?, now: Date = Date()) throws -> PlaylistRecord? {
        try writer.write { db in
            for (column, value) in [("title", title), ("description", description), ("visibility", visibility)] {
                guard let value else { continue }
                try db.execute(sql: "UPDATE playlists SET \(column) = ? WHERE id = ?", arguments: [value, id])
            }
            try Self.touch(db, id, now)
            return try Row.fetchOne(db, sql: Self.select + " WHERE p.id = ?", arguments: [id]).map(PlaylistRecord.init)
        }
    }

    @discardableResult
    public func delete(_ id: String) throws -> Bool {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM playlists WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    /// The items in order.
    public func items(_ id: String) throws -> [PlaylistItem] {
        try writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT video_id, position, added_at FROM playlist_items WHERE playlist_id = ? ORDER BY position, added_at",
                arguments: [id]
            ).map { PlaylistItem(videoID: $0["video_id"], position: $0["position"], addedAt: $0["added_at"]) }
        }
    }

    /// Adds the video at `position` (0 first; nil: at the end), moving later items down.
    /// Throws ``PlaylistChangeError`` for what the caller can correct.
    public func add(_ id: String, videoID: String, position: Int?, now: Date = Date()) throws {
        do {
            try writer.write { db in
                try Self.compact(db, id)
                let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM playlist_items WHERE playlist_id = ?", arguments: [id]) ?? 0
                guard count < Self.maxItems else { throw PlaylistChangeError.full(limit: Self.maxItems) }
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM playlist_items WHERE playlist_id = ? AND video_id = ?", arguments: [id, videoID]) == true
                {
                    throw PlaylistChangeError.alreadyInPlaylist
                }
                let at = position ?? count
                guard (0...count).contains(at) else { throw PlaylistChangeError.positionOutOfRange(count: count) }
                try db.execute(sql: "UPDATE playlist_items SET position = position + 1 WHERE playlist_id = ? AND position >= ?", arguments: [id, at])
                try db.execute(
                    sql: "INSERT INTO playlist_items(playlist_id, video_id, position, added_at) VALUES (?, ?, ?, ?)",
                    arguments: [id, videoID, at, now])
                try Self.touch(db, id, now)
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            // The video or the playlist was deleted meanwhile.
            throw PlaylistChangeError.notFound
        }
    }

    /// Removes the video; returns whether it was in the playlist.
    @discardableResult
    public func remove(_ id: String, videoID: String, now: Date = Date()) throws -> Bool {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM playlist_items WHERE playlist_id = ? AND video_id = ?", arguments: [id, videoID])
            guard db.changesCount > 0 else { return false }
            try Self.compact(db, id)
            try Self.touch(db, id, now)
            return true
        }
    }

    /// Puts the items in the order given, which must name each current item exactly once.
    public func reorder(_ id: String, videoIDs: [String], now: Date = Date()) throws {
        try writer.write { db in
            let current = try String.fetchAll(db, sql: "SELECT video_id FROM playlist_items WHERE playlist_id = ?", arguments: [id])
            guard videoIDs.count == current.count, Set(videoIDs) == Set(current), Set(videoIDs).count == videoIDs.count else {
                throw PlaylistChangeError.notAPermutation
            }
            for (position, videoID) in videoIDs.enumerated() {
                try db.execute(
                    sql: "UPDATE playlist_items SET position = ? WHERE playlist_id = ? AND video_id = ?",
                    arguments: [position, id, videoID])
            }
            try Self.touch(db, id, now)
        }
    }

    /// An owner's playlists, newest first; `publicOnly` for what others may list.
    public func list(ownerID: String, publicOnly: Bool, limit: Int, cursor: String?) throws -> PlaylistPage {
        var after = Int64.max
        if let cursor {
            guard let value = Int64(cursor), value > 0 else { throw InvalidCursor() }
            after = value
        }
        return try writer.read { db in
            let filter = publicOnly ? " AND p.visibility = 'public'" : ""
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT p.rowid AS row_position, p.*, (SELECT COUNT(*) FROM playlist_items i WHERE i.playlist_id = p.id) AS item_count
                    FROM playlists p WHERE p.owner_id = ?\(filter) AND p.rowid < ? ORDER BY p.rowid DESC LIMIT ?
                    """, arguments: [ownerID, after, limit + 1])
            var next: String?
            if rows.count > limit { next = String(rows[limit - 1]["row_position"] as Int64) }
            return PlaylistPage(playlists: rows.prefix(limit).map(PlaylistRecord.init), nextCursor: next)
        }
    }

    /// Renumbers the items 0…n-1 in their order (a deleted video leaves a gap).
    static func compact(_ db: Database, _ id: String) throws {
        let rows = try Row.fetchAll(
            db, sql: "SELECT video_id, position FROM playlist_items WHERE playlist_id = ? ORDER BY position, added_at",
            arguments: [id])
        for (position, row) in rows.enumerated() where row["position"] as Int != position {
            try db.execute(
                sql: "UPDATE playlist_items SET position = ? WHERE playlist_id = ? AND video_id = ?",
                arguments: [position, id, row["video_id"] as String])
        }
    }

    static func touch(_ db: Database, _ id: String, _ now: Date) throws {
        try db.execute(sql: "UPDATE playlists SET updated_at = ? WHERE id = ?", arguments: [now, id])
    }
}

extension KinoraDatabase {
    public var playlists: PlaylistRepository { PlaylistRepository(writer: writer) }
}
