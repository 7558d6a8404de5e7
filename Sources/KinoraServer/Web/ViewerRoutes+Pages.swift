import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

/// What the viewer slice adds to the home and watch pages that WebRoutes renders.
extension ViewerRoutes {
    /// The home page's extra rows: *Popular* (only once something has been watched) and, for
    /// an account that follows channels, *From your subscriptions*.
    func homeRows(_ context: KinoraRequestContext) throws -> [String: Any] {
        var object: [String: Any] = [:]
        var query = VideoQuery()
        query.sort = .mostViewed
        query.limit = Self.rowCount
        let popular = try database.videos.list(query).items.filter { $0.video.views > 0 }
        if !popular.isEmpty {
            object["popular"] = popular.map(WebViews.card)
            object["hasPopular"] = true
        }
        if let userID = context.principal?.userID {
            let feed = try database.subscriptions.feed(userID: userID, limit: Self.rowCount, cursor: nil).items
            if !feed.isEmpty {
                object["subscriptions"] = feed.map(WebViews.card)
                object["hasSubscriptions"] = true
            }
        }
        return object
    }

    /// The watch page's channel bar, *Save to playlist* choices and up-next list. With
    /// `?list=` naming a playlist the caller may see that holds the video, up next starts
    /// with the playlist's following videos.
    func watchExtras(_ details: VideoDetails, _ request: Request, _ context: KinoraRequestContext) throws -> [String: Any] {
        let current = details.video.id
        var social: [String: Any] = [:]
        if let channel = details.channel {
            social["channelName"] = channel.name
            social["channelHandle"] = channel.handle
            let subscription = try Subscriptions(database: database).status(channelID: channel.id, viewer: context.viewer)
            if channel.ownerID != context.principal?.userID {
                social["subscription"] = ViewerViews.subscription(channel, subscribed: subscription.subscribed, returnTo: "/watch/\(current)")
            }
            social["subscribers"] = ViewerViews.count(subscription.count, "subscriber", "subscribers")
        }
        if context.principal?.userID != nil {
            social["save"] = ["playlists": try myPlaylists(context).map { ["id": $0.id, "title": $0.title] }]
        }

        var upNext: [[String: Any]] = []
        var seen: Set<String> = [current]
        var object: [String: Any] = ["social": social]
        try addComments(to: &object, details.video, context)
        if let listID = request.uri.queryParameters.get("list"), listID.count <= 64, let playlist = try database.playlists.find(listID),
            PlaylistVisibility.canSee(playlist, context.viewer)
        {
            let videos = try playlistVideos(playlist, context)
            // The heading names the playlist only when its videos follow.
            if let index = videos.firstIndex(where: { $0.video.id == current }), index + 1 < videos.count {
                object["playlistTitle"] = playlist.title
                object["playlistLink"] = "/playlists/\(playlist.id)"
                for entry in videos[(index + 1)...].prefix(Self.upNextCount) where seen.insert(entry.video.id).inserted {
                    var card = WebViews.card(entry.video, channel: entry.channel)
                    card["listQuery"] = "list=\(playlist.id)"
                    upNext.append(card)
                }
            }
        }
        // Then the channel's other videos, then the latest of everyone: listed ones only, so
        // nothing private, unlisted or scheduled.
        var sources: [VideoQuery] = []
        if let channelID = details.video.channelID {
            var byChannel = VideoQuery()
            byChannel.channelID = channelID
            byChannel.limit = Self.upNextCount + 1
            sources.append(byChannel)
        }
        var latest = VideoQuery()
        latest.limit = Self.upNextCount * 2 + 1
        sources.append(latest)
        for query in sources where upNext.count < Self.upNextCount {
            for item in try database.videos.list(query).items where upNext.count < Self.upNextCount && seen.insert(item.video.id).inserted {
                upNext.append(WebViews.card(item))
            }
        }
        if !upNext.isEmpty {
            object["upNext"] = upNext
            object["hasUpNext"] = true
        }
        return object
    }

    /// The like buttons, the comment section's frame and the report dialog's reasons. Whether
    /// comments are open follows the video's switch and its channel's.
    func addComments(to object: inout [String: Any], _ video: VideoRecord, _ context: KinoraRequestContext) throws {
        let viewer = context.viewer
        let signIn = SafeRedirect.loginLocation(next: "/watch/\(video.id)")
        let mine = try viewer.userID.map { try database.ratings.myVideoRating(videoID: video.id, userID: $0) }
        object["rating"] = CommentViews.rating(video, myRating: mine, signIn: signIn)
        let open = try database.comments.commentsAllowed(videoID: video.id) != false
        object["comments"] = CommentViews.section(
            video, open: open, viewer: viewer, canPin: viewer.userID != nil && VideoVisibility.canEdit(video, viewer), signIn: signIn)
        if viewer.userID != nil { object["report"] = ["reasons": CommentViews.reasons] }
    }
}
