import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraHost
import KinoraStore

/// Playlists: ordered lists of videos, public, unlisted (by link) or private (owner and admins).
struct PlaylistRoutes {
    let database: KinoraDatabase

    static let maxTitle = 150
    static let maxDescription = 5000
    static let visibilities: Set<String> = ["public", "unlisted", "private"]

    func register(on router: Router<KinoraRequestContext>) {
        router.post("api/v1/playlists") { request, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let body = try await SocialHTTP.members(request)
            try SocialHTTP.refuseUnknownKeys(body, allowed: ["title", "description", "visibility"])
            guard let title = try SocialHTTP.text(body, "title", max: Self.maxTitle, allowEmpty: false) else {
                throw SocialHTTP.invalid("title", "title is required: 1 to \(Self.maxTitle) characters")
            }
            let playlist = PlaylistRecord(
                id: RandomID.make(bytes: 10), ownerID: me.id, title: title,
                description: try SocialHTTP.text(body, "description", max: Self.maxDescription, multiline: true, trimmed: false) ?? "",
                visibility: try Self.visibility(body) ?? "private")
            try database.playlists.create(playlist)
            var response = try JSONResponse.make(.created, try object(playlist, context, items: true))
            response.headers[.location] = "/api/v1/playlists/\(playlist.id)"
            return response
        }
        router.get("api/v1/playlists/:id") { _, context in
            try Access.anyone.check(context)
            return try JSONResponse.make(.ok, try object(try visiblePlaylist(context), context, items: true))
        }
        router.patch("api/v1/playlists/:id") { request, context in
            try Access.authenticated.check(context)
            let playlist = try editablePlaylist(context)
            let body = try await SocialHTTP.members(request)
            try SocialHTTP.refuseUnknownKeys(body, allowed: ["title", "description", "visibility"])
            let title = try SocialHTTP.text(body, "title", max: Self.maxTitle, allowEmpty: false)
            let description = try SocialHTTP.text(body, "description", max: Self.maxDescription, multiline: true, trimmed: false)
            guard let updated = try database.playlists.update(playlist.id, title: title, description: description, visibility: try Self.visibility(body)) else {
                throw Problem.notFound("no playlist \(playlist.id)")
            }
            return try JSONResponse.make(.ok, try object(updated, context, items: true))
        }
        router.delete("api/v1/playlists/:id") { _, context in
            try Access.authenticated.check(context)
            try database.playlists.delete(try editablePlaylist(context).id)
            return Response(status: .noContent)
        }
        router.post("api/v1/playlists/:id/items") { request, context in
            try Access.authenticated.check(context)
            let playlist = try editablePlaylist(context)
            let body = try await SocialHTTP.members(request)
            try SocialHTTP.refuseUnknownKeys(body, allowed: ["video_id", "position"])
            // Only a video the caller can see may be added: no probing of private ids.
            guard let videoID = body["video_id"]?.stringValue, videoID.count <= 64,
                  let video = try database.videos.find(videoID), VideoSummary.canSee(video, context) else {
                throw SocialHTTP.invalid("video_id", "video_id must name a video you can see")
            }
            var position: Int?
            if let value = body["position"], !value.isNull {
                guard let number = value.intValue, number >= 0 else { throw SocialHTTP.invalid("position", "position must be an integer, 0 or more") }
                position = Int(clamping: number)
            }
            do {
                try database.playlists.add(playlist.id, videoID: video.id, position: position)
            } catch let error as PlaylistChangeError {
                throw Self.problem(error)
            }
            return try JSONResponse.make(.created, try object(try reload(playlist.id), context, items: true))
        }
        router.delete("api/v1/playlists/:id/items/:video_id") { _, context in
            try Access.authenticated.check(context)
            let playlist = try editablePlaylist(context)
            let videoID = context.parameters.get("video_id") ?? ""
            guard videoID.count <= 64, try database.playlists.remove(playlist.id, videoID: videoID) else {
                throw Problem.notFound("video \(videoID.prefix(64)) is not in this playlist")
            }
            return Response(status: .noContent)
        }
        router.put("api/v1/playlists/:id/order") { request, context in
            try Access.authenticated.check(context)
            let playlist = try editablePlaylist(context)
            let body = try await SocialHTTP.members(request)
            try SocialHTTP.refuseUnknownKeys(body, allowed: ["video_ids"])
            guard let ids = body["video_ids"]?.arrayValue?.compactMap(\.stringValue), ids.count == body["video_ids"]?.arrayValue?.count else {
                throw SocialHTTP.invalid("video_ids", "video_ids must be an array of video ids")
            }
            // Items the caller cannot see (a video made private since) keep their order after
            // the others; the caller orders what it sees.
            let items = try database.playlists.items(playlist.id)
            let visible = try VideoSummary.visible(items.map(\.videoID), context, database: database)
            let hidden = items.map(\.videoID).filter { visible[$0] == nil }
            do {
                guard Set(ids).isDisjoint(with: hidden) else { throw PlaylistChangeError.notAPermutation }
                try database.playlists.reorder(playlist.id, videoIDs: ids + hidden)
            } catch let error as PlaylistChangeError {
                throw Self.problem(error)
            }
            return try JSONResponse.make(.ok, try object(try reload(playlist.id), context, items: true))
        }
        router.get("api/v1/me/playlists") { request, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            return try list(ownerID: me.id, publicOnly: false, request, context)
        }
        // Anyone lists an account's public playlists.
        router.get("api/v1/users/:id/playlists") { request, context in
            try Access.anyone.check(context)
            let id = context.parameters.get("id") ?? ""
            guard id.count <= 64, let owner = try database.profiles.find(id: id), !owner.disabled else {
                throw Problem.notFound("no user \(id.prefix(64))")
            }
            return try list(ownerID: owner.id, publicOnly: true, request, context)
        }
    }

    func list(ownerID: String, publicOnly: Bool, _ request: Request, _ context: KinoraRequestContext) throws -> Response {
        let page: PlaylistPage
        page = try database.playlists.list(ownerID: ownerID, publicOnly: publicOnly, limit: SocialHTTP.limit(request),
                                           cursor: request.uri.queryParameters.get("cursor"))
        let items = try page.playlists.map { try object($0, context, items: false) }
        return try JSONResponse.make(.ok, ["items": items, "next_cursor": page.nextCursor.map { $0 as Any } ?? NSNull()])
    }

    /// The playlist named by `id`, or 404 when unknown or private to the caller.
    func visiblePlaylist(_ context: KinoraRequestContext) throws -> PlaylistRecord {
        let id = context.parameters.get("id") ?? ""
        guard id.count <= 64, let playlist = try database.playlists.find(id),
              playlist.visibility != "private" || Self.canEdit(playlist, context) else {
            throw Problem.notFound("no playlist \(id.prefix(64))")
        }
        return playlist
    }

    /// The playlist for a change: 404 when hidden, 403 when visible but not the caller's.
    func editablePlaylist(_ context: KinoraRequestContext) throws -> PlaylistRecord {
        let playlist = try visiblePlaylist(context)
        guard Self.canEdit(playlist, context) else { throw Problem.forbidden("only the playlist's owner and admins may change it") }
        return playlist
    }

    static func canEdit(_ playlist: PlaylistRecord, _ context: KinoraRequestContext) -> Bool {
        context.principal?.isAdmin == true || (context.principal?.userID).map { $0 == playlist.ownerID } == true
    }

    func reload(_ id: String) throws -> PlaylistRecord {
        guard let playlist = try database.playlists.find(id) else { throw Problem.notFound("no playlist \(id)") }
        return playlist
    }

    static func visibility(_ body: [String: JSONValue]) throws -> String? {
        guard let value = body["visibility"] else { return nil }
        guard let text = value.stringValue, visibilities.contains(text) else {
            throw SocialHTTP.invalid("visibility", "visibility must be public, unlisted or private")
        }
        return text
    }

    static func problem(_ error: PlaylistChangeError) -> Problem {
        switch error {
        case .notFound:
            return Problem.notFound("the playlist or the video no longer exists")
        case .alreadyInPlaylist:
            return Problem(.conflict, type: "already-in-playlist", title: "Already in the playlist", detail: "a video is in a playlist at most once")
        case .full(let limit):
            return Problem(.conflict, type: "playlist-full", title: "Playlist full", detail: "a playlist holds at most \(limit) videos")
        case .positionOutOfRange(let count):
            return SocialHTTP.invalid("position", "position must be from 0 to \(count)")
        case .notAPermutation:
            return Problem(.unprocessableContent, type: "not-a-permutation", title: "Not the playlist's items",
                           detail: "video_ids must name every video of the playlist exactly once", extra: ["field": "video_ids"])
        }
    }

    func object(_ playlist: PlaylistRecord, _ context: KinoraRequestContext, items withItems: Bool) throws -> [String: Any] {
        var object: [String: Any] = [
            "id": playlist.id, "owner_id": playlist.ownerID, "title": playlist.title, "description": playlist.description,
            "visibility": playlist.visibility, "item_count": playlist.itemCount,
            "created_at": SocialHTTP.date(playlist.createdAt), "updated_at": SocialHTTP.date(playlist.updatedAt),
        ]
        if withItems {
            let items = try database.playlists.items(playlist.id)
            let videos = try VideoSummary.visible(items.map(\.videoID), context, database: database)
            object["items"] = items.compactMap { item -> [String: Any]? in
                guard let video = videos[item.videoID] else { return nil }
                return ["position": item.position, "added_at": SocialHTTP.date(item.addedAt), "video": VideoSummary.object(video)]
            }
        }
        return object
    }
}
