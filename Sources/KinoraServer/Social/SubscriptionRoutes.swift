import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

/// Channel subscriptions and the subscriptions feed (``Subscriptions``).
struct SubscriptionRoutes {
    let database: KinoraDatabase

    var subscriptions: Subscriptions { Subscriptions(database: database) }

    func register(on router: Router<KinoraRequestContext>) {
        router.put("api/v1/channels/:id/subscription") { _, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let result = try subscriptions.subscribe(me, to: context.parameters.get("id") ?? "")
            var object = ChannelRoutes.object(result.channel)
            object["subscriber_count"] = try subscriptions.subscriberCount(result.channel.id)
            object["subscribed"] = true
            return try JSONResponse.make(result.created ? .created : .ok, object)
        }
        router.delete("api/v1/channels/:id/subscription") { _, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            try subscriptions.unsubscribe(me, from: context.parameters.get("id") ?? "")
            return Response(status: .noContent)
        }
        router.get("api/v1/me/subscriptions") { request, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let page = try subscriptions.list(me, limit: SocialHTTP.limit(request), cursor: SocialHTTP.cursor(request))
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
            let page = try subscriptions.feed(me, limit: SocialHTTP.limit(request), cursor: SocialHTTP.cursor(request))
            return try JSONResponse.make(
                .ok, ["items": page.items.map(VideoJSON.object), "next_cursor": page.nextCursor.map { $0 as Any } ?? NSNull()])
        }
    }
}
