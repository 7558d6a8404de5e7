import Foundation
import Hummingbird
import KinoraStore

/// Who may see and change a video. Private videos, and videos before their scheduled
/// publication, exist only for their owner and admins: everyone else gets the 404 of a video
/// that does not exist. Changing one is for its owner and admins; others who can see it get 403.
enum VideoAccess {
    /// The video named by the route's `id` (or `param`), or 404 when it is unknown or hidden from the caller.
    static func visibleVideo(_ context: KinoraRequestContext, database: KinoraDatabase, param: String = "id") throws -> VideoRecord {
        let id = context.parameters.get(param) ?? ""
        guard id.count <= 64, let video = try database.videos.find(id), canSee(video, context) else {
            throw Problem.notFound("no video \(id.prefix(64))")
        }
        return video
    }

    /// The video for a change: 401 without credentials, 404 when hidden, 403 when visible
    /// but neither the caller's nor the caller an admin.
    static func editableVideo(_ context: KinoraRequestContext, database: KinoraDatabase) throws -> VideoRecord {
        try Access.authenticated.check(context)
        let video = try visibleVideo(context, database: database)
        guard canEdit(video, context) else { throw Problem.forbidden("only the video's owner and admins may change it") }
        return video
    }

    static func canSee(_ video: VideoRecord, _ context: KinoraRequestContext, now: Date = Date()) -> Bool {
        video.isVisible(to: context.principal?.userID, isAdmin: context.principal?.isAdmin == true, now: now)
    }

    static func canEdit(_ video: VideoRecord, _ context: KinoraRequestContext) -> Bool {
        context.principal?.isAdmin == true || video.isOwned(by: context.principal?.userID)
    }
}
