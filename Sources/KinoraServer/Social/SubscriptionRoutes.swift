import Foundation
import Hummingbird
import KinoraStore

/// Channel subscriptions and the subscriptions feed.
struct SubscriptionRoutes {
    let database: KinoraDatabase

    func register(on router: Router<KinoraRequestContext>) {
        router.put("api/v1/channels/:id/subscription") { _, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let channel = try channel(context)
            let created: Bool
            do {
                created = try database.subscriptions.subscribe(userID: me.id, channelID: channel.id)
            } catch is SubscriptionRepository.UnknownChannel {
                throw Problem.notFound("no channel \(channel.id)")
            }
            return try JSONResponse.make(created ? .created : .ok, try Self.object(channel, database: database, subscribed: true))
        }
        router.delete("api/v1/channels/:id/subscription") { _, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let channel = try channel(context)
            guard try database.subscriptions.unsubscribe(userID: me.id, channelID: channel.id) else {
                throw Problem.notFound("you do not follow channel \(channel.id)")
            }
            return Response(status: .noContent)
        }
        router.get("api/v1/me/subscriptions") { request, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let page: SubscriptionPage
            page = try database.subscriptions.list(userID: me.id, limit: SocialHTTP.limit(request), cursor: request.uri.queryParameters.get("cursor"))
            let items = page.channels.map { entry -> [String: Any] in
                var object = ChannelRoutes.object(entry.channel)
                object["subscribed_at"] = SocialHTTP.date(entry.subscribedAt)
                return object
            }
            return try JSONResponse.make(.ok, ["items": items, "next_cursor": page.nextCursor.map { $0 as Any } ?? NSNull()])
        }
        router.get("api/v1/me/feed") { request, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let page: FeedPage
            page = try database.subscriptions.feed(userID: me.id, limit: SocialHTTP.limit(request), cursor: request.uri.queryParameters.get("cursor"))
            return try JSONResponse.make(.ok, ["items": page.items.map(VideoJSON.object), "next_cursor": page.nextCursor.map { $0 as Any } ?? NSNull()])
        }
    }

    func channel(_ context: KinoraRequestContext) throws -> ChannelRecord {
        let id = context.parameters.get("id") ?? ""
        guard id.count <= 64, let channel = try database.channels.find(id: id) else { throw Problem.notFound("no channel \(id.prefix(64))") }
        return channel
    }

    /// The channel's JSON with its subscriber count and, for a signed-in caller, whether it follows.
    static func object(_ channel: ChannelRecord, database: KinoraDatabase, subscribed: Bool?) throws -> [String: Any] {
        var object = ChannelRoutes.object(channel)
        object["subscriber_count"] = try database.subscriptions.count(channelID: channel.id)
        if let subscribed { object["subscribed"] = subscribed }
        return object
    }

    /// `GET /api/v1/channels/{id}`'s extra fields: the subscriber count (an index range
    /// count), and `subscribed` for a signed-in account.
    static func addSubscriptionFields(to object: inout [String: Any], channelID: String, context: KinoraRequestContext,
                                      database: KinoraDatabase) throws {
        object["subscriber_count"] = try database.subscriptions.count(channelID: channelID)
        if let userID = context.principal?.userID {
            object["subscribed"] = try database.subscriptions.isSubscribed(userID: userID, channelID: channelID)
        }
    }
}
