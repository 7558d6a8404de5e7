import Foundation
import Hummingbird
import KinoraHost
import KinoraStore

/// Watch history: the progress heartbeat, the history pages, forgetting.
struct HistoryRoutes {
    let database: KinoraDatabase

    /// From this share of the duration on, a video counts as watched: no resume offered.
    static let completedShare = 0.95

    func register(on router: Router<KinoraRequestContext>) {
        // Players call this every few seconds while a signed-in account watches.
        router.post("api/v1/videos/:id/progress") { request, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let video = try VideoAccess.visibleVideo(context, database: database)
            let body = try await SocialHTTP.members(request)
            try SocialHTTP.refuseUnknownKeys(body, allowed: ["position"])
            guard let requested = body["position"]?.doubleValue, requested.isFinite, requested >= 0 else {
                throw SocialHTTP.invalid("position", "position must be a number of seconds, 0 or more")
            }
            let position = video.duration.map { min(requested, max($0, 0)) } ?? requested
            let completed = (video.duration ?? 0) > 0 && position >= (video.duration ?? 0) * Self.completedShare
            let recorded = try database.history.record(userID: me.id, videoID: video.id, position: position, completed: completed)
            return try JSONResponse.make(.ok, Self.object(recorded.entry))
        }
        router.get("api/v1/me/history") { request, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let page: HistoryPage
            page = try database.history.page(userID: me.id, limit: SocialHTTP.limit(request), cursor: request.uri.queryParameters.get("cursor"))
            // A video made private since it was watched drops out of the list, not out of the history.
            let videos = try VideoSummary.visible(page.entries.map(\.videoID), context, database: database)
            let items: [[String: Any]] = page.entries.compactMap { entry in
                guard let video = videos[entry.videoID] else { return nil }
                var object = Self.object(entry)
                object["video"] = VideoSummary.object(video)
                return object
            }
            return try JSONResponse.make(.ok, ["items": items, "next_cursor": page.nextCursor.map { $0 as Any } ?? NSNull()])
        }
        router.delete("api/v1/me/history") { _, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            try database.history.clear(userID: me.id)
            return Response(status: .noContent)
        }
        router.delete("api/v1/me/history/:video_id") { _, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let videoID = context.parameters.get("video_id") ?? ""
            guard videoID.count <= 64, try database.history.remove(userID: me.id, videoID: videoID) else {
                throw Problem.notFound("video \(videoID.prefix(64)) is not in your history")
            }
            return Response(status: .noContent)
        }
    }

    static func object(_ entry: HistoryEntry) -> [String: Any] {
        ["video_id": entry.videoID, "position": entry.position, "completed": entry.completed, "updated_at": SocialHTTP.date(entry.updatedAt)]
    }

    /// `resume_position` for a signed-in caller's video JSON: where the account stopped, or
    /// null when it never started or finished the video. Callers without an account get no key.
    static func addResumePosition(to object: inout [String: Any], videoID: String, context: KinoraRequestContext, database: KinoraDatabase) throws {
        guard let userID = context.principal?.userID else { return }
        let entry = try database.history.entry(userID: userID, videoID: videoID)
        object["resume_position"] = entry.flatMap { $0.completed ? nil : $0.position } ?? NSNull()
    }
}
