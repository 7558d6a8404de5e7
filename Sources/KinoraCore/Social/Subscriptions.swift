import Foundation
import KinoraStore

/// Channel subscriptions and the feed of the channels an account follows.
public struct Subscriptions: Sendable {
    let database: KinoraDatabase

    public init(database: KinoraDatabase) {
        self.database = database
    }

    /// Follows the channel; true when the subscription is new.
    public func subscribe(_ me: Profile, to channelID: String) throws -> (channel: ChannelRecord, created: Bool) {
        let channel = try channel(channelID)
        do {
            return (channel, try database.subscriptions.subscribe(userID: me.id, channelID: channel.id))
        } catch is SubscriptionRepository.UnknownChannel {
            throw SocialError.channelNotFound(channel.id)
        }
    }

    public func unsubscribe(_ me: Profile, from channelID: String) throws {
        let channel = try channel(channelID)
        guard try database.subscriptions.unsubscribe(userID: me.id, channelID: channel.id) else {
            throw SocialError.notSubscribed(channelID: channel.id)
        }
    }

    public func list(_ me: Profile, limit: Int, cursor: String?) throws -> SubscriptionPage {
        try database.subscriptions.list(userID: me.id, limit: limit, cursor: cursor)
    }

    public func feed(_ me: Profile, limit: Int, cursor: String?) throws -> FeedPage {
        try database.subscriptions.feed(userID: me.id, limit: limit, cursor: cursor)
    }

    /// A channel's followers as a caller sees them.
    public struct Status: Sendable, Equatable {
        public var count: Int
        /// Whether the caller follows the channel; nil for a caller without an account.
        public var subscribed: Bool?
    }

    public func status(channelID: String, viewer: Viewer) throws -> Status {
        let count = try database.subscriptions.count(channelID: channelID)
        let subscribed = try viewer.userID.map { try database.subscriptions.isSubscribed(userID: $0, channelID: channelID) }
        return Status(count: count, subscribed: subscribed)
    }

    public func subscriberCount(_ channelID: String) throws -> Int {
        try database.subscriptions.count(channelID: channelID)
    }

    func channel(_ id: String) throws -> ChannelRecord {
        guard id.count <= 64, let channel = try database.channels.find(id: id) else { throw SocialError.channelNotFound(id) }
        return channel
    }
}
