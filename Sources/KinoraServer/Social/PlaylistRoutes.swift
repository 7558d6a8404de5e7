import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraStore

/// Playlists (``Playlists``): ordered lists of videos, public, unlisted (by link) or private.
struct PlaylistRoutes {
    let database: KinoraDatabase

    var playlists: Playlists { Playlists(database: database) }

    func register(on router: Router<KinoraRequestContext>) {
        router.post("api/v1/playlists") { request, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let playlist = try playlists.create(try await request.jsonMembers(), ownerID: me.id)
            var response = try JSONResponse.make(.created, try object(playlist, context, items: true))
            response.headers[.location] = "/api/v1/playlists/\(playlist.id)"
            return response
        }
        router.get("api/v1/playlists/:id") { _, context in
            try Access.anyone.check(context)
            return try JSONResponse.make(.ok, try object(try playlists.visible(Self.id(context), to: context.viewer), context, items: true))
        }
        router.patch("api/v1/playlists/:id") { request, context in
            try Access.authenticated.check(context)
            let playlist = try playlists.editable(Self.id(context), by: context.viewer)
            let updated = try playlists.update(playlist, try await request.jsonMembers())
            return try JSONResponse.make(.ok, try object(updated, context, items: true))
        }
        router.delete("api/v1/playlists/:id") { _, context in
            try Access.authenticated.check(context)
            try playlists.delete(Self.id(context), by: context.viewer)
            return Response(status: .noContent)
        }
        router.post("api/v1/playlists/:id/items") { request, context in
            try Access.authenticated.check(context)
            let playlist = try playlists.editable(Self.id(context), by: context.viewer)
            let updated = try playlists.add(to: playlist, try await request.jsonMembers(), by: context.viewer)
            return try JSONResponse.make(.created, try object(updated, context, items: true))
        }
        router.delete("api/v1/playlists/:id/items/:video_id") { _, context in
            try Access.authenticated.check(context)
            try playlists.remove(context.parameters.get("video_id") ?? "", from: Self.id(context), by: context.viewer)
            return Response(status: .noContent)
        }
        router.put("api/v1/playlists/:id/order") { request, context in
            try Access.authenticated.check(context)
            let playlist = try playlists.editable(Self.id(context), by: context.viewer)
            let updated = try playlists.reorder(playlist, try await request.jsonMembers(), by: context.viewer)
            return try JSONResponse.make(.ok, try object(updated, context, items: true))
        }
        router.get("api/v1/me/playlists") { request, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let page = try playlists.list(ownerID: me.id, publicOnly: false, limit: SocialHTTP.limit(request), cursor: SocialHTTP.cursor(request))
            return try list(page, context)
        }
        // Anyone lists an account's public playlists.
        router.get("api/v1/users/:id/playlists") { request, context in
            try Access.anyone.check(context)
            let page = try playlists.listPublic(userID: Self.id(context), limit: SocialHTTP.limit(request), cursor: SocialHTTP.cursor(request))
            return try list(page, context)
        }
    }

    static func id(_ context: KinoraRequestContext) -> String { context.parameters.get("id") ?? "" }

    func list(_ page: PlaylistPage, _ context: KinoraRequestContext) throws -> Response {
        let items = try page.playlists.map { try object($0, context, items: false) }
        return try JSONResponse.make(.ok, ["items": items, "next_cursor": page.nextCursor.map { $0 as Any } ?? NSNull()])
    }

    func object(_ playlist: PlaylistRecord, _ context: KinoraRequestContext, items withItems: Bool) throws -> [String: Any] {
        var object: [String: Any] = [
            "id": playlist.id, "owner_id": playlist.ownerID, "title": playlist.title, "description": playlist.description,
            "visibility": playlist.visibility, "item_count": playlist.itemCount,
            "created_at": SocialHTTP.date(playlist.createdAt), "updated_at": SocialHTTP.date(playlist.updatedAt),
        ]
        if withItems {
            object["items"] = try playlists.items(of: playlist, to: context.viewer).map { item -> [String: Any] in
                ["position": item.position, "added_at": SocialHTTP.date(item.addedAt), "video": VideoSummary.object(item.video)]
            }
        }
        return object
    }
}
