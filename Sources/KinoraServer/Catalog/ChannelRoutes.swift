import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraStore

/// `/api/v1/channels` and `/api/v1/me/channels`: the channels videos are published in
/// (``Channels``).
struct ChannelRoutes {
    let database: KinoraDatabase
    let registry: PluginRegistry
    let config: KinoraConfig

    var channels: Channels { Channels(database: database, reservedHandles: config.reservedHandles) }

    func register(on router: Router<KinoraRequestContext>) {
        router.post("api/v1/channels") { request, context in
            try Access.roles([.creator, .admin]).check(context)
            _ = try Channels.owner(context.viewer)
            let fields = try ChannelFields.parse(try await request.jsonMembers(), creating: true)
            let channel = try channels.create(fields, by: context.viewer)
            var response = try JSONResponse.make(.created, Self.object(channel))
            response.headers[.location] = "/api/v1/channels/\(channel.id)"
            return response
        }
        router.get("api/v1/channels/:id") { _, context in
            try Access.anyone.check(context)
            let channel = try channels.find(context.parameters.get("id") ?? "")
            var object = Self.object(channel)
            let subscription = try Subscriptions(database: database).status(channelID: channel.id, viewer: context.viewer)
            object["subscriber_count"] = subscription.count
            if let subscribed = subscription.subscribed { object["subscribed"] = subscribed }
            return try JSONResponse.make(.ok, object)
        }
        router.patch("api/v1/channels/:id") { request, context in
            try Access.authenticated.check(context)
            let channel = try channels.editable(context.parameters.get("id") ?? "", by: context.viewer)
            let fields = try ChannelFields.parse(try await request.jsonMembers(), creating: false)
            return try JSONResponse.make(.ok, Self.object(try channels.update(channel, fields, by: context.viewer)))
        }
        // A channel with videos is only deleted on request (force=true), and its videos with it.
        router.delete("api/v1/channels/:id") { request, context in
            try Access.authenticated.check(context)
            let channel = try channels.editable(context.parameters.get("id") ?? "", by: context.viewer)
            let force: Bool
            switch request.uri.queryParameters.get("force") {
            case nil, "false": force = false
            case "true": force = true
            default: throw ListingParameters.invalid("force", "force must be true or false")
            }
            let videos = try channels.prepareDeletion(channel.id, force: force, by: context.viewer).videoIDs
            let removal = VideoRemoval(database: database, registry: registry, config: config)
            for video in videos { try await removal.remove(video) }
            try channels.delete(channel)
            context.logger.info("channel deleted", metadata: ["channel": .string(channel.id), "videos": .stringConvertible(videos.count)])
            return Response(status: .noContent)
        }
        router.get("api/v1/me/channels") { _, context in
            try Access.authenticated.check(context)
            return try JSONResponse.make(.ok, ["items": try channels.mine(context.viewer).map(Self.object)])
        }
    }

    static func object(_ channel: ChannelRecord) -> [String: Any] {
        [
            "id": channel.id, "handle": channel.handle, "name": channel.name, "description": channel.description,
            "owner": channel.ownerID, "created_at": RFC3339.string(channel.createdAt),
        ]
    }
}

extension ChannelRoutes {
    /// Signup refuses a reserved username the way channels refuse a reserved handle.
    static func reserved(_ field: String, _ handle: String) -> ChannelError {
        .handleReserved(field: field, handle: handle)
    }
}
