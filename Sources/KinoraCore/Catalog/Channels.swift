import Foundation
import KinoraStore

/// The channels videos are published in. Channels are public; creating one needs an account,
/// changing or deleting one is for its owner and admins, and reserved handles for admins.
public struct Channels: Sendable {
    let database: KinoraDatabase
    let reservedHandles: Set<String>

    public init(database: KinoraDatabase, reservedHandles: Set<String>) {
        self.database = database
        self.reservedHandles = reservedHandles
    }

    /// The account a new channel of `viewer` belongs to: the bootstrap token has none.
    public static func owner(_ viewer: Viewer) throws(ChannelError) -> String {
        guard let ownerID = viewer.userID else { throw .noAccount }
        return ownerID
    }

    public func create(_ fields: ChannelFields, by viewer: Viewer) throws -> ChannelRecord {
        let ownerID = try Self.owner(viewer)
        try checkReserved(fields.handle, field: "handle", by: viewer)
        let channel = ChannelRecord(ownerID: ownerID, handle: fields.handle ?? "", name: fields.name ?? "", description: fields.description ?? "")
        do {
            try database.channels.create(channel)
        } catch let taken as HandleTaken {
            throw ChannelError.handleTaken(taken.description)
        }
        return channel
    }

    /// Any channel, for anyone.
    public func find(_ id: String) throws -> ChannelRecord {
        guard id.count <= 64, let channel = try database.channels.find(id: id) else { throw ChannelError.notFound(id: id) }
        return channel
    }

    /// The channel when `viewer` owns it or is an admin.
    public func editable(_ id: String, by viewer: Viewer) throws -> ChannelRecord {
        let channel = try find(id)
        guard viewer.mayChange(ownedBy: channel.ownerID) else { throw ChannelError.notOwner }
        return channel
    }

    /// Changes a channel the caller may edit (``editable(_:by:)``).
    public func update(_ channel: ChannelRecord, _ fields: ChannelFields, by viewer: Viewer) throws -> ChannelRecord {
        if fields.handle != channel.handle { try checkReserved(fields.handle, field: "handle", by: viewer) }
        let updated: ChannelRecord?
        do {
            updated = try database.channels.update(id: channel.id, handle: fields.handle, name: fields.name, description: fields.description)
        } catch let taken as HandleTaken {
            throw ChannelError.handleTaken(taken.description)
        }
        guard let updated else { throw ChannelError.notFound(id: channel.id) }
        if let enabled = fields.commentsEnabled { _ = try database.comments.setCommentsEnabled(channelID: channel.id, enabled) }
        return updated
    }

    /// The channel and the videos that go with it. A channel with videos is only deleted on
    /// request (`force`); the caller removes the videos, then calls ``delete(_:)``.
    public func prepareDeletion(_ id: String, force: Bool, by viewer: Viewer) throws -> (channel: ChannelRecord, videoIDs: [String]) {
        let channel = try editable(id, by: viewer)
        let videos = try database.channels.videoIDs(channelID: channel.id)
        if !videos.isEmpty && !force { throw ChannelError.notEmpty(id: channel.id, videos: videos.count) }
        return (channel, videos)
    }

    public func delete(_ channel: ChannelRecord) throws {
        _ = try database.channels.delete(id: channel.id)
    }

    /// The channels of `viewer`'s account (none for the bootstrap token).
    public func mine(_ viewer: Viewer) throws -> [ChannelRecord] {
        try viewer.userID.map { try database.channels.list(ownerID: $0) } ?? []
    }

    /// `[channels] reserved_handles` are for admins to take (an official `@support` channel);
    /// anyone else is refused. `handle` is already lower case.
    public func checkReserved(_ handle: String?, field: String, by viewer: Viewer) throws(ChannelError) {
        guard let handle, reservedHandles.contains(handle), !viewer.isAdmin else { return }
        throw .handleReserved(field: field, handle: handle)
    }
}
