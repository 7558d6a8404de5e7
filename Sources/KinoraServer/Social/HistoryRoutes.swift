import Foundation
import Hummingbird
import KinoraCore
import KinoraHost
import KinoraStore

/// Watch history (``WatchHistory``): the progress heartbeat, the history pages, forgetting.
struct HistoryRoutes {
    let database: KinoraDatabase

    var history: WatchHistory { WatchHistory(database: database) }

    func register(on router: Router<KinoraRequestContext>) {
        // Players call this every few seconds while a signed-in account watches.
        router.post("api/v1/videos/:id/progress") { request, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let video = try VideoAccess.visibleVideo(context, database: database)
            let entry = try history.record(try await request.jsonMembers(), me: me, video: video)
            return try JSONResponse.make(.ok, Self.object(entry))
        }
        router.get("api/v1/me/history") { request, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let page = try history.page(userID: me.id, viewer: context.viewer, limit: SocialHTTP.limit(request), cursor: SocialHTTP.cursor(request))
            let items: [[String: Any]] = page.items.map { item in
                var object = Self.object(item.entry)
                object["video"] = VideoSummary.object(item.video)
                return object
            }
            return try JSONResponse.make(.ok, ["items": items, "next_cursor": page.nextCursor.map { $0 as Any } ?? NSNull()])
        }
        router.delete("api/v1/me/history") { _, context in
            try Access.authenticated.check(context)
            try history.clear(try SignedIn.profile(context, database: database))
            return Response(status: .noContent)
        }
        router.delete("api/v1/me/history/:video_id") { _, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            try history.remove(context.parameters.get("video_id") ?? "", of: me)
            return Response(status: .noContent)
        }
    }

    static func object(_ entry: HistoryEntry) -> [String: Any] {
        ["video_id": entry.videoID, "position": entry.position, "completed": entry.completed, "updated_at": SocialHTTP.date(entry.updatedAt)]
    }

    /// `resume_position` for a signed-in caller's video JSON: where the account stopped, or
    /// null when it never started or finished the video. Callers without an account get no key.
    static func addResumePosition(to object: inout [String: Any], videoID: String, context: KinoraRequestContext, database: KinoraDatabase) throws {
        guard let position = try WatchHistory(database: database).resumePosition(videoID: videoID, viewer: context.viewer) else { return }
        object["resume_position"] = position ?? NSNull()
    }
}
