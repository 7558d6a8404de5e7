import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraHost
import KinoraStore

/// `/api/v1/channels` and `/api/v1/me/channels`: the channels videos are published in.
/// Channels are public; creating one is for creators and admins, changing or deleting one for
/// its owner and admins.
struct ChannelRoutes {
    let database: KinoraDatabase
    let registry: PluginRegistry
    let config: KinoraConfig

    func register(on router: Router<KinoraRequestContext>) {
        router.post("api/v1/channels") { request, context in
            try Access.roles([.creator, .admin]).check(context)
            guard let ownerID = context.principal?.userID else {
                throw Problem.forbidden("channels belong to accounts; the bootstrap token has none")
            }
            let object = try await JSONBody.object(request)
            let fields = try Self.fields(object, creating: true)
            try Self.checkReserved(fields.handle, config: config, context)
            let channel = ChannelRecord(ownerID: ownerID, handle: fields.handle ?? "", name: fields.name ?? "", description: fields.description ?? "")
            do {
                try database.channels.create(channel)
            } catch let taken as HandleTaken {
                throw Self.handleTaken(taken)
            }
            var response = try JSONResponse.make(.created, Self.object(channel))
            response.headers[.location] = "/api/v1/channels/\(channel.id)"
            return response
        }
        router.get("api/v1/channels/:id") { _, context in
            try Access.anyone.check(context)
            let channel = try channel(context)
            var object = Self.object(channel)
            try SubscriptionRoutes.addSubscriptionFields(to: &object, channelID: channel.id, context: context, database: database)
            return try JSONResponse.make(.ok, object)
        }
        router.patch("api/v1/channels/:id") { request, context in
            try Access.authenticated.check(context)
            let channel = try ownChannel(context)
            let fields = try Self.fields(try await JSONBody.object(request), creating: false)
            if fields.handle != channel.handle { try Self.checkReserved(fields.handle, config: config, context) }
            let updated: ChannelRecord?
            do {
                updated = try database.channels.update(id: channel.id, handle: fields.handle, name: fields.name, description: fields.description)
            } catch let taken as HandleTaken {
                throw Self.handleTaken(taken)
            }
            guard let updated else { throw Problem.notFound("no channel \(channel.id)") }
            return try JSONResponse.make(.ok, Self.object(updated))
        }
        // A channel with videos is only deleted on request (force=true), and its videos with it.
        router.delete("api/v1/channels/:id") { request, context in
            try Access.authenticated.check(context)
            let channel = try ownChannel(context)
            let force: Bool
            switch request.uri.queryParameters.get("force") {
            case nil, "false": force = false
            case "true": force = true
            default: throw ListingParameters.invalid("force", "force must be true or false")
            }
            let videos = try database.channels.videoIDs(channelID: channel.id)
            if !videos.isEmpty && !force {
                throw Problem(.conflict, type: "channel-not-empty", title: "Channel has videos",
                              detail: "channel \(channel.id) has \(videos.count) videos; delete them first or send force=true to delete them with it",
                              extra: ["videos": String(videos.count)])
            }
            let removal = VideoRemoval(database: database, registry: registry, config: config)
            for video in videos { try await removal.remove(video) }
            try database.channels.delete(id: channel.id)
            context.logger.info("channel deleted", metadata: ["channel": .string(channel.id), "videos": .stringConvertible(videos.count)])
            return Response(status: .noContent)
        }
        router.get("api/v1/me/channels") { _, context in
            try Access.authenticated.check(context)
            let channels = try context.principal?.userID.map { try database.channels.list(ownerID: $0) } ?? []
            return try JSONResponse.make(.ok, ["items": channels.map(Self.object)])
        }
    }

    func channel(_ context: KinoraRequestContext) throws -> ChannelRecord {
        let id = context.parameters.get("id") ?? ""
        guard id.count <= 64, let channel = try database.channels.find(id: id) else { throw Problem.notFound("no channel \(id.prefix(64))") }
        return channel
    }

    /// The channel when the caller owns it or is an admin; 403 otherwise (channels are public).
    func ownChannel(_ context: KinoraRequestContext) throws -> ChannelRecord {
        let channel = try channel(context)
        guard context.principal?.isAdmin == true || channel.ownerID == context.principal?.userID else {
            throw Problem.forbidden("only the channel's owner and admins may change it")
        }
        return channel
    }

    static func object(_ channel: ChannelRecord) -> [String: Any] {
        ["id": channel.id, "handle": channel.handle, "name": channel.name, "description": channel.description,
         "owner": channel.ownerID, "created_at": RFC3339.string(channel.createdAt)]
    }

    /// `[channels] reserved_handles` are for admins to take (an official `@support` channel);
    /// anyone else gets 422 `handle-reserved`. `handle` is already normalized (lower case).
    static func checkReserved(_ handle: String?, config: KinoraConfig, _ context: KinoraRequestContext) throws {
        guard let handle, config.reservedHandles.contains(handle), context.principal?.isAdmin != true else { return }
        throw reserved("handle", handle)
    }

    static func reserved(_ field: String, _ handle: String) -> Problem {
        Problem(.unprocessableContent, type: "handle-reserved", title: "Handle reserved",
                detail: "\"\(handle)\" is reserved for the site's own use; choose another", extra: ["field": field])
    }

    static func handleTaken(_ taken: HandleTaken) -> Problem {
        Problem(.conflict, type: "handle-taken", title: "Handle taken", detail: taken.description, extra: ["field": "handle"])
    }

    /// handle, name, description; handle and name required when creating. 422 `invalid-field`.
    static func fields(_ object: [String: Any], creating: Bool) throws -> (handle: String?, name: String?, description: String?) {
        let known: Set<String> = ["handle", "name", "description"]
        func invalid(_ field: String, _ detail: String) -> Problem {
            CatalogField.Invalid(field: field, detail: detail).problem(.unprocessableContent)
        }
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw invalid(unknown, "unknown field; the fields are handle, name, description")
        }
        var handle: String?
        var name: String?
        var description: String?
        if let value = object["handle"] {
            guard let text = value as? String, ChannelRecord.isValidHandle(text) else {
                throw invalid("handle", "handle must be 3 to 32 letters, digits, '.', '_', '-', starting with a letter or digit")
            }
            handle = text.lowercased()
        } else if creating {
            throw invalid("handle", "handle is required")
        }
        if let value = object["name"] {
            let text = (value as? String)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            guard !text.isEmpty, text.count <= ChannelRecord.maxNameLength, !text.containsControlCharacters() else {
                throw invalid("name", "name must be 1 to \(ChannelRecord.maxNameLength) characters without control characters")
            }
            name = text
        } else if creating {
            throw invalid("name", "name is required")
        }
        if let value = object["description"] {
            if value is NSNull {
                description = ""
            } else {
                guard let text = value as? String, text.count <= ChannelRecord.maxDescriptionLength,
                      !text.containsControlCharacters(allowingNewlines: true) else {
                    throw invalid("description", "description must be at most \(ChannelRecord.maxDescriptionLength) characters")
                }
                description = text
            }
        }
        return (handle, name, description)
    }
}
