import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

/// The viewer's own pages: `/channel/{handle}`, `/feed`, `/history`, `/playlists` and
/// `/playlists/{id}`, plus what the home and watch pages add from subscriptions, history and
/// playlists. Pages render from the repositories under the API's visibility rules; every
/// change is made in the browser through the JSON API, which checks again.
struct ViewerRoutes {
    let web: WebRoutes
    var database: KinoraDatabase { web.database }

    static let upNextCount = 8
    static let rowCount = 8

    func register(on router: Router<KinoraRequestContext>) {
        router.get("channel/:handle") { request, context in
            try Access.anyone.check(context)
            let handle = context.parameters.get("handle") ?? ""
            guard handle.count <= 64, let channel = try database.channels.find(handle: handle) else { return try await web.notFound(context) }
            var query = VideoQuery()
            query.channelID = channel.id
            query.limit = WebRoutes.cardsPerPage
            query.cursor = request.uri.queryParameters.get("cursor")
            let path = "/channel/\(channel.handle)"
            let subscription = try Subscriptions(database: database).status(channelID: channel.id, viewer: context.viewer)
            var object: [String: Any] = [
                "channelPage": ViewerViews.channel(channel, subscribers: subscription.count),
                "subscription": ViewerViews.subscription(channel, subscribed: subscription.subscribed, returnTo: path),
            ]
            // No button to follow one's own channel.
            if channel.ownerID == context.principal?.userID { object["subscription"] = nil }
            let page: VideoPage
            do {
                page = try database.videos.list(query)
            } catch is InvalidCursor {
                return try await badCursor(context, back: path)
            }
            object["cards"] = page.items.map(WebViews.card)
            object["empty"] = page.items.isEmpty
            if let next = page.nextCursor { object["more"] = "\(path)?cursor=\(Self.encoded(next))" }
            return try await web.page("channel", context, title: channel.name, object)
        }
        router.get("feed") { request, context in
            try Access.anyone.check(context)
            guard context.principal != nil else { return StudioRoutes.signIn(next: "/feed") }
            var object: [String: Any] = ["cards": [Any](), "empty": true]
            if let userID = context.principal?.userID {
                let page: FeedPage
                do {
                    page = try database.subscriptions.feed(
                        userID: userID, limit: WebRoutes.cardsPerPage, cursor: request.uri.queryParameters.get("cursor"))
                } catch is InvalidCursor {
                    return try await badCursor(context, back: "/feed")
                }
                object["cards"] = page.items.map(WebViews.card)
                object["empty"] = page.items.isEmpty
                if let next = page.nextCursor { object["more"] = "/feed?cursor=\(Self.encoded(next))" }
            }
            return try await web.page("feed", context, title: "Subscriptions", object)
        }
        router.get("history") { request, context in
            try Access.anyone.check(context)
            guard context.principal != nil else { return StudioRoutes.signIn(next: "/history") }
            var rows: [[String: Any]] = []
            var object: [String: Any] = [:]
            if let userID = context.principal?.userID {
                let page: WatchHistory.Page
                do {
                    page = try WatchHistory(database: database).page(
                        userID: userID, viewer: context.viewer, limit: WebRoutes.cardsPerPage,
                        cursor: request.uri.queryParameters.get("cursor"))
                } catch is InvalidCursor {
                    return try await badCursor(context, back: "/history")
                }
                let channels = try database.channels.find(ids: page.items.compactMap(\.video.channelID))
                rows = page.items.map { item in
                    ViewerViews.historyRow(item.entry, item.video, channel: item.video.channelID.flatMap { channels[$0] })
                }
                if let next = page.nextCursor { object["more"] = "/history?cursor=\(Self.encoded(next))" }
            }
            object["entries"] = rows
            object["empty"] = rows.isEmpty
            return try await web.page("history", context, title: "History", object)
        }
        router.get("playlists") { _, context in
            try Access.anyone.check(context)
            guard context.principal != nil else { return StudioRoutes.signIn(next: "/playlists") }
            let mine = try myPlaylists(context).map(ViewerViews.playlist)
            return try await web.page(
                "playlists", context, title: "Playlists",
                ["playlists": mine, "empty": mine.isEmpty, "visibilities": ViewerViews.visibilities(selected: "private")])
        }
        router.get("playlists/:id") { _, context in
            try Access.anyone.check(context)
            let id = context.parameters.get("id") ?? ""
            guard id.count <= 64, let playlist = try database.playlists.find(id), PlaylistVisibility.canSee(playlist, context.viewer) else {
                return try await web.notFound(context)
            }
            let items = try playlistVideos(playlist, context)
            var object = ViewerViews.playlist(playlist)
            object["items"] = items.enumerated().map { index, video in
                var card = WebViews.card(video.video, channel: video.channel)
                card["listQuery"] = "list=\(playlist.id)"
                card["first"] = index == 0
                card["last"] = index == items.count - 1
                return card
            }
            object["empty"] = items.isEmpty
            if PlaylistVisibility.canEdit(playlist, context.viewer) {
                object["owner"] = ["visibilities": ViewerViews.visibilities(selected: playlist.visibility)]
            }
            if let first = items.first { object["play"] = "/watch/\(first.video.id)?list=\(playlist.id)" }
            return try await web.page("playlist", context, title: playlist.title, ["playlist": object])
        }
    }

    /// The caller's playlists, newest first (the first hundred: the page does not page them).
    func myPlaylists(_ context: KinoraRequestContext) throws -> [PlaylistRecord] {
        guard let userID = context.principal?.userID else { return [] }
        return try database.playlists.list(ownerID: userID, publicOnly: false, limit: 100, cursor: nil).playlists
    }

    /// A playlist's videos in order, only those the caller may see, with their channels.
    func playlistVideos(_ playlist: PlaylistRecord, _ context: KinoraRequestContext) throws -> [(video: VideoRecord, channel: ChannelRecord?)] {
        let items = try Playlists(database: database).items(of: playlist, to: context.viewer)
        let channels = try database.channels.find(ids: items.compactMap(\.video.channelID))
        return items.map { item in (item.video, item.video.channelID.flatMap { channels[$0] }) }
    }

    /// A cursor this site did not make: a 400 page with the way back to the first page.
    func badCursor(_ context: KinoraRequestContext, back: String) async throws -> Response {
        try await web.page(
            "viewer-message", context, title: "Bad page link",
            ["heading": "This page link is not valid", "text": "It may come from an older version of the page.", "back": back],
            status: .badRequest)
    }

    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-_."))) ?? ""
    }
}
