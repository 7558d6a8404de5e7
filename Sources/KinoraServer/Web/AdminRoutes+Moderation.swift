import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

/// The console's moderation pages, for moderators and admins: `/admin/moderation` (the open
/// queue, or `?state=resolved`) and `/admin/moderation/audit`. They only render; decisions go
/// through the moderation API (`/api/v1/moderation/…`), which checks the role again.
extension AdminRoutes {
    static let queuePerPage = 50
    static let auditPerPage = 100

    func registerModeration(on router: Router<KinoraRequestContext>) {
        router.get("admin/moderation") { request, context in
            try Access.anyone.check(context)
            if let refused = try await moderatorGate(context, path: "/admin/moderation") { return refused }
            let query = request.uri.queryParameters
            let state = query.get("state") == "resolved" ? "resolved" : "open"
            let page: ModerationPage<ModerationItem>
            do {
                page = try database.moderation.queue(state: state, limit: Self.queuePerPage, cursor: query.get("cursor").map { String($0) })
            } catch is InvalidCursor {
                return try await ViewerRoutes(web: web).badCursor(context, back: "/admin/moderation")
            }
            let items = try page.items.map { ModerationViews.item($0, target: try target(of: $0)) }
            var object: [String: Any] = [
                "nav": AdminViews.nav("moderation", principal: context.principal), "tabs": ModerationViews.tabs(state),
                "items": items, "empty": items.isEmpty, "openQueue": state == "open", "bulkActions": ModerationViews.bulkActions,
                "emptyText": state == "open" ? "Nothing is waiting for a decision." : "No decisions yet.",
            ]
            if let next = page.nextCursor {
                object["next"] = "/admin/moderation?" + (state == "resolved" ? "state=resolved&" : "") + "cursor=\(ViewerRoutes.encoded(next))"
            }
            return try await web.page("admin-moderation", context, title: "Moderation – Admin", object)
        }
        router.get("admin/moderation/audit") { request, context in
            try Access.anyone.check(context)
            if let refused = try await moderatorGate(context, path: "/admin/moderation/audit") { return refused }
            let page: ModerationPage<AuditEntry>
            do {
                page = try database.moderation.audit(limit: Self.auditPerPage, cursor: request.uri.queryParameters.get("cursor").map { String($0) })
            } catch is InvalidCursor {
                return try await ViewerRoutes(web: web).badCursor(context, back: "/admin/moderation/audit")
            }
            var names: [String: String] = [:]
            for id in Set(page.items.compactMap(\.moderatorID)) { names[id] = try database.users.find(id: id)?.username }
            let entries = try page.items.map { entry in
                ModerationViews.audit(entry, moderator: entry.moderatorID.flatMap { names[$0] }, target: try auditTarget(entry))
            }
            var object: [String: Any] = [
                "nav": AdminViews.nav("moderation", principal: context.principal), "tabs": ModerationViews.tabs("audit"),
                "entries": entries, "empty": entries.isEmpty,
            ]
            if let next = page.nextCursor { object["next"] = "/admin/moderation/audit?cursor=\(ViewerRoutes.encoded(next))" }
            return try await web.page("admin-audit", context, title: "Audit log – Admin", object)
        }
    }

    /// nil for moderators and admins; otherwise sign in first, or a 403 page saying so.
    func moderatorGate(_ context: KinoraRequestContext, path: String) async throws -> Response? {
        guard let principal = context.principal else { return StudioRoutes.signIn(next: path) }
        if principal.isAdmin || principal.role == .moderator { return nil }
        return try await web.page("admin-refused", context, title: "Moderation", ["moderation": true], status: .forbidden)
    }

    /// What an item is about, as the page shows it (whatever its state: moderators see all).
    func target(of item: ModerationItem) throws -> ModerationViews.Target {
        switch item.targetType {
        case .comment:
            guard let comment = try database.comments.find(item.targetID) else { return .gone }
            return .comment(comment, videoTitle: try database.videos.find(comment.videoID)?.title)
        case .video:
            guard let video = try database.videos.find(item.targetID) else { return .gone }
            return .video(video, owner: try video.ownerID.flatMap { try database.users.find(id: $0)?.username })
        case .user:
            guard let user = try database.users.find(id: item.targetID) else { return .gone }
            return .user(user)
        }
    }

    /// A few words of what an audit entry decided on, and the page it is on.
    func auditTarget(_ entry: AuditEntry) throws -> (text: String, link: String?) {
        switch entry.targetType {
        case .comment:
            guard let comment = try database.comments.find(entry.targetID) else { return ("a deleted comment", nil) }
            let by = comment.authorUsername.map { " by \($0)" } ?? ""
            let text = comment.body.count > 120 ? String(comment.body.prefix(120)) + "…" : comment.body
            return ("comment\(by): \(text)", "/watch/\(comment.videoID)")
        case .video:
            guard let video = try database.videos.find(entry.targetID) else { return ("a deleted video", nil) }
            return ("video: \(video.title.isEmpty ? "Untitled" : video.title)", "/watch/\(video.id)")
        case .user:
            guard let user = try database.users.find(id: entry.targetID) else { return ("a deleted account", nil) }
            return ("account: \(user.username)", nil)
        }
    }
}
