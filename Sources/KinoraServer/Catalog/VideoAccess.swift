import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

extension KinoraRequestContext {
    /// The caller as the domain's visibility and ownership rules see it.
    var viewer: Viewer {
        Viewer(userID: principal?.userID, isAdmin: principal?.isAdmin == true, isModerator: principal?.role == .moderator)
    }
}

/// The route's side of ``VideoLookup``: the video named by a path parameter, under the one
/// visibility rule (``VideoVisibility``).
enum VideoAccess {
    /// The video named by the route's `id` (or `param`), or 404 when it is unknown or hidden from the caller.
    static func visibleVideo(_ context: KinoraRequestContext, database: KinoraDatabase, param: String = "id") throws -> VideoRecord {
        try VideoLookup(database: database).visible(context.parameters.get(param) ?? "", to: context.viewer)
    }

    /// The video for a change: 401 without credentials, 404 when hidden, 403 when visible
    /// but neither the caller's nor the caller an admin.
    static func editableVideo(_ context: KinoraRequestContext, database: KinoraDatabase) throws -> VideoRecord {
        try Access.authenticated.check(context)
        return try VideoLookup(database: database).editable(context.parameters.get("id") ?? "", by: context.viewer)
    }

    static func canSee(_ video: VideoRecord, _ context: KinoraRequestContext) -> Bool {
        VideoVisibility.canSee(video, context.viewer)
    }

    static func canEdit(_ video: VideoRecord, _ context: KinoraRequestContext) -> Bool {
        VideoVisibility.canEdit(video, context.viewer)
    }
}
