import Foundation
import Hummingbird
import KinoraHost
import KinoraStore

/// The admin console's pages: `/admin` (dashboard), `/admin/plugins`, `/admin/jobs`,
/// `/admin/users` and `/admin/categories`, plus the moderation pages moderators share
/// (AdminRoutes+Moderation.swift). They only render; every change goes through the JSON API
/// (`/api/v1/admin/…`, `/api/v1/users`, `/api/v1/categories`, `/api/v1/moderation/…`), which
/// checks again. Anonymous callers are sent to sign in; signed-in others get a 403 page.
struct AdminRoutes {
    let web: WebRoutes
    let overview: AdminOverview
    var database: KinoraDatabase { web.database }

    static let jobsPerPage = 50
    static let usersPerPage = 200

    func register(on router: Router<KinoraRequestContext>) {
        router.get("admin") { _, context in
            try Access.anyone.check(context)
            if let refused = try await gate(context, path: "/admin") { return refused }
            let data = try await overview.make()
            return try await web.page("admin", context, title: "Dashboard – Admin", AdminViews.dashboard(data))
        }
        router.get("admin/plugins") { _, context in
            try Access.anyone.check(context)
            if let refused = try await gate(context, path: "/admin/plugins") { return refused }
            return try await web.page("admin-plugins", context, title: "Plugins – Admin", AdminViews.plugins(PluginReport.make(overview.registry)))
        }
        router.get("admin/jobs") { request, context in
            try Access.anyone.check(context)
            if let refused = try await gate(context, path: "/admin/jobs") { return refused }
            let query = request.uri.queryParameters
            let state = query.get("state").flatMap { JobQueue.states.contains($0) ? $0 : nil }
            let before = query.get("cursor").flatMap { Int64($0) }
            let page = try database.jobs.list(state: state, before: before, limit: Self.jobsPerPage)
            return try await web.page("admin-jobs", context, title: "Jobs – Admin", AdminViews.jobs(page.items, state: state, next: page.next))
        }
        router.get("admin/users") { _, context in
            try Access.anyone.check(context)
            if let refused = try await gate(context, path: "/admin/users") { return refused }
            let users = try database.users.list(limit: Self.usersPerPage).users
            return try await web.page("admin-users", context, title: "Users – Admin", AdminViews.users(users, me: context.principal?.userID))
        }
        router.get("admin/categories") { _, context in
            try Access.anyone.check(context)
            if let refused = try await gate(context, path: "/admin/categories") { return refused }
            let categories = try database.categories.list().map { ["id": $0.id, "name": $0.name] }
            return try await web.page(
                "admin-categories", context, title: "Categories – Admin",
                ["categories": categories, "empty": categories.isEmpty, "nav": AdminViews.nav("categories")])
        }
        registerModeration(on: router)
    }

    /// nil for admins; otherwise sign in first, or a 403 page saying the console is for admins.
    func gate(_ context: KinoraRequestContext, path: String) async throws -> Response? {
        guard let principal = context.principal else { return StudioRoutes.signIn(next: path) }
        if principal.isAdmin { return nil }
        return try await web.page("admin-refused", context, title: "Admin", ["moderation": false], status: .forbidden)
    }
}
