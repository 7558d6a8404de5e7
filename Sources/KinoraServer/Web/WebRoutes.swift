import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

/// The viewer site: server-rendered pages (`/`, `/watch/{id}`, `/search`, `/login`,
/// `/signup`) and their static files under `/static/`. Pages are for everyone; what a page
/// shows follows the same visibility rules as the API (a hidden video is a 404 page).
struct WebRoutes {
    let database: KinoraDatabase
    let templates: WebTemplates
    let statics: StaticFiles

    init(database: KinoraDatabase, shareDir: String?) {
        self.database = database
        templates = WebTemplates(shareDir: shareDir)
        statics = StaticFiles(shareDir: shareDir)
    }

    static let cardsPerPage = 24

    func register(on router: Router<KinoraRequestContext>) {
        router.get("/") { _, context in
            try Access.anyone.check(context)
            var query = VideoQuery()
            query.limit = Self.cardsPerPage
            let cards = try database.videos.list(query).items.map(WebViews.card)
            var object = try ViewerRoutes(web: self).homeRows(context)
            object["cards"] = cards
            object["empty"] = cards.isEmpty
            return try await page("home", context, title: "Kinora", object)
        }
        router.get("watch/:id") { request, context in
            try Access.anyone.check(context)
            let id = context.parameters.get("id") ?? ""
            guard let details = try VideoLookup(database: database).details(id, to: context.viewer) else {
                return try await notFound(context)
            }
            let video = WebViews.watch(details)
            var object = try ViewerRoutes(web: self).watchExtras(details, request, context)
            object["video"] = video
            return try await page("watch", context, title: video["title"] as? String ?? "Video", object)
        }
        router.get("search") { request, context in
            try Access.anyone.check(context)
            let q = (request.uri.queryParameters.get("q") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            // Only a non-empty string may be set: mustache renders a section for any string.
            var object: [String: Any] = q.isEmpty ? [:] : ["q": q]
            if q.count > VideoSearch.maxQueryLength {
                object["message"] = "Searches are limited to \(VideoSearch.maxQueryLength) characters."
            } else if !q.isEmpty {
                let found = try VideoSearch(database: database).search(q, limit: Self.cardsPerPage, cursor: nil)
                object["cards"] = found.items.map(WebViews.card)
                object["total"] = found.total
                object["searched"] = true
                if found.items.isEmpty { object["message"] = "No videos match your search." }
            }
            return try await page("search", context, title: q.isEmpty ? "Search" : "\(q) – Search", object)
        }
        router.get("login") { _, context in
            try Access.anyone.check(context)
            return try await page("login", context, title: "Sign in", [:])
        }
        router.get("signup") { _, context in
            try Access.anyone.check(context)
            return try await page("signup", context, title: "Create an account", [:])
        }
        // The code arrives in the link's fragment, so this page is the same for everyone.
        router.get("reset-password") { _, context in
            try Access.anyone.check(context)
            return try await page("reset-password", context, title: "Reset your password", [:])
        }
        StudioRoutes(web: self).register(on: router)
        SettingsRoutes(web: self).register(on: router)
        ViewerRoutes(web: self).register(on: router)
        TVRoutes(web: self).register(on: router)
        router.get("static/**") { request, context in
            try Access.anyone.check(context)
            return try await statics.response(request, path: context.parameters.getCatchAll().joined(separator: "/"))
        }
    }

    /// A page in the layout, with the signed-in account (if any) for the header.
    func page(
        _ name: String, _ context: KinoraRequestContext, title: String, _ object: [String: Any],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var object = object
        object["pageTitle"] = title
        if let id = context.principal?.userID, let profile = try database.profiles.find(id: id), !profile.disabled {
            let uploads = context.principal?.isAdmin == true || context.principal?.role == .creator
            object["user"] =
                [
                    "name": profile.displayName.isEmpty ? profile.username : profile.displayName, "username": profile.username,
                    "studio": uploads, "admin": context.principal?.isAdmin == true,
                    // Moderators who are not admins get a link to the console's moderation pages.
                    "moderator": context.principal?.role == .moderator,
                ] as [String: Any]
        }
        let html = try await templates.render(name, object)
        return Response(status: status, headers: WebHeaders.page, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The HTML 404 page: unknown pages, and videos hidden from the caller alike.
    func notFound(_ context: KinoraRequestContext) async throws -> Response {
        try await page("notfound", context, title: "Not found", [:], status: .notFound)
    }
}
