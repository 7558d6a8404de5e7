import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraStore

/// Playlists: ordered lists of videos, public, unlisted (by link) or private, under
/// ``PlaylistVisibility``; their items under ``VideoVisibility``.
public struct Playlists: Sendable {
    let database: KinoraDatabase

    public static let maxTitle = 150
    public static let maxDescription = 5000
    static let fields: Set<String> = ["title", "description", "visibility"]

    public init(database: KinoraDatabase) {
        self.database = database
    }

    /// One item as a caller sees it: the videos it may not see are left out.
    public struct Item: Sendable {
        public var position: Int
        public var addedAt: Date
        public var video: VideoRecord
    }

    public func create(_ body: [String: JSONValue], ownerID: String) throws -> PlaylistRecord {
        try BodyFields.refuseUnknownKeys(body, allowed: Self.fields)
        guard let title = try BodyFields.text(body, "title", max: Self.maxTitle, allowEmpty: false) else {
            throw InvalidField("title", "title is required: 1 to \(Self.maxTitle) characters")
        }
        let playlist = PlaylistRecord(
            id: RandomID.make(bytes: 10), ownerID: ownerID, title: title,
            description: try BodyFields.text(body, "description", max: Self.maxDescription, multiline: true, trimmed: false) ?? "",
            visibility: try Self.visibility(body) ?? "private")
        try database.playlists.create(playlist)
        return playlist
    }

    /// The playlist, unless unknown or private to `viewer`.
    public func visible(_ id: String, to viewer: Viewer) throws -> PlaylistRecord {
        guard id.count <= 64, let playlist = try database.playlists.find(id), PlaylistVisibility.canSee(playlist, viewer) else {
            throw PlaylistError.notFound(id: id)
        }
        return playlist
    }

    /// The playlist for a change: not found when hidden, refused when visible but not `viewer`'s.
    public func editable(_ id: String, by viewer: Viewer) throws -> PlaylistRecord {
        let playlist = try visible(id, to: viewer)
        guard PlaylistVisibility.canEdit(playlist, viewer) else { throw PlaylistError.notOwner }
        return playlist
    }

    /// Changes title, description or visibility of a playlist the caller may edit (``editable(_:by:)``).
    public func update(_ playlist: PlaylistRecord, _ body: [String: JSONValue]) throws -> PlaylistRecord {
        try BodyFields.refuseUnknownKeys(body, allowed: Self.fields)
        let title = try BodyFields.text(body, "title", max: Self.maxTitle, allowEmpty: false)
        let description = try BodyFields.text(body, "description", max: Self.maxDescription, multiline: true, trimmed: false)
        guard let updated = try database.playlists.update(playlist.id, title: title, description: description, visibility: try Self.visibility(body))
        else {
            throw PlaylistError.notFound(id: playlist.id)
        }
        return updated
    }

    public func delete(_ id: String, by viewer: Viewer) throws {
        _ = try database.playlists.delete(try editable(id, by: viewer).id)
    }

    /// Adds a video (`video_id`, optional `position`) to a playlist the caller may edit, and
    /// answers the playlist as it is now.
    public func add(to playlist: PlaylistRecord, _ body: [String: JSONValue], by viewer: Viewer) throws -> PlaylistRecord {
        try BodyFields.refuseUnknownKeys(body, allowed: ["video_id", "position"])
        // Only a video the caller can see may be added: no probing of private ids.
        guard let videoID = body["video_id"]?.stringValue, videoID.count <= 64,
            let video = try database.videos.find(videoID), VideoVisibility.canSee(video, viewer)
        else {
            throw InvalidField("video_id", "video_id must name a video you can see")
        }
        var position: Int?
        if let value = body["position"], !value.isNull {
            guard let number = value.intValue, number >= 0 else { throw InvalidField("position", "position must be an integer, 0 or more") }
            position = Int(clamping: number)
        }
        try change { try database.playlists.add(playlist.id, videoID: video.id, position: position) }
        return try reload(playlist.id)
    }

    public func remove(_ videoID: String, from id: String, by viewer: Viewer) throws {
        let playlist = try editable(id, by: viewer)
        guard videoID.count <= 64, try database.playlists.remove(playlist.id, videoID: videoID) else {
            throw PlaylistError.notInPlaylist(videoID: videoID)
        }
    }

    /// Puts the items in the order of `video_ids`. Items the caller cannot see (a video made
    /// private since) keep their order after the others: the caller orders what it sees.
    public func reorder(_ playlist: PlaylistRecord, _ body: [String: JSONValue], by viewer: Viewer) throws -> PlaylistRecord {
        try BodyFields.refuseUnknownKeys(body, allowed: ["video_ids"])
        guard let ids = body["video_ids"]?.arrayValue?.compactMap(\.stringValue), ids.count == body["video_ids"]?.arrayValue?.count else {
            throw InvalidField("video_ids", "video_ids must be an array of video ids")
        }
        let items = try database.playlists.items(playlist.id).map(\.videoID)
        let visible = try VideoLookup(database: database).visible(ids: items, to: viewer)
        let hidden = items.filter { visible[$0] == nil }
        guard Set(ids).isDisjoint(with: hidden) else { throw PlaylistError.notAPermutation }
        try change { try database.playlists.reorder(playlist.id, videoIDs: ids + hidden) }
        return try reload(playlist.id)
    }

    /// The items `viewer` may see, in order.
    public func items(of playlist: PlaylistRecord, to viewer: Viewer) throws -> [Item] {
        let items = try database.playlists.items(playlist.id)
        let videos = try VideoLookup(database: database).visible(ids: items.map(\.videoID), to: viewer)
        return items.compactMap { item in
            videos[item.videoID].map { Item(position: item.position, addedAt: item.addedAt, video: $0) }
        }
    }

    /// An account's playlists: all of them for the account itself, the public ones for others.
    public func list(ownerID: String, publicOnly: Bool, limit: Int, cursor: String?) throws -> PlaylistPage {
        try database.playlists.list(ownerID: ownerID, publicOnly: publicOnly, limit: limit, cursor: cursor)
    }

    /// The public playlists of an account that exists and is not disabled.
    public func listPublic(userID: String, limit: Int, cursor: String?) throws -> PlaylistPage {
        guard userID.count <= 64, let owner = try database.profiles.find(id: userID), !owner.disabled else {
            throw SocialError.userNotFound(userID)
        }
        return try list(ownerID: owner.id, publicOnly: true, limit: limit, cursor: cursor)
    }

    func reload(_ id: String) throws -> PlaylistRecord {
        guard let playlist = try database.playlists.find(id) else { throw PlaylistError.notFound(id: id) }
        return playlist
    }

    func change(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as PlaylistChangeError {
            switch error {
            case .notFound: throw PlaylistError.gone
            case .alreadyInPlaylist: throw PlaylistError.alreadyInPlaylist
            case .full(let limit): throw PlaylistError.full(limit: limit)
            case .positionOutOfRange(let count): throw InvalidField("position", "position must be from 0 to \(count)")
            case .notAPermutation: throw PlaylistError.notAPermutation
            }
        }
    }

    static func visibility(_ body: [String: JSONValue]) throws(InvalidField) -> String? {
        guard let value = body["visibility"] else { return nil }
        guard let text = value.stringValue, PlaylistVisibility.values.contains(text) else {
            throw InvalidField("visibility", "visibility must be public, unlisted or private")
        }
        return text
    }
}
