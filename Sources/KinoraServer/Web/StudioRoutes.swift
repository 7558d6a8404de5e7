import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

/// The creator studio's pages: `/studio` (the caller's videos), `/studio/upload` (tus from the
/// browser) and `/studio/videos/{id}` (edit and delete). The pages only render; every change
/// goes through the JSON API, which checks again. Anonymous callers are sent to sign in;
/// accounts that may not upload see a page that says so; someone else's video is the 404 page.
struct StudioRoutes {
    let web: WebRoutes
    var database: KinoraDatabase { web.database }

    static let visibilities = VideoVisibility.values

    func register(on router: Router<KinoraRequestContext>) {
        router.get("studio") { request, context in
            try Access.anyone.check(context)
            if let refused = try await gate(context, path: "/studio") { return refused }
            return try await listPage(request, context)
        }
        router.get("studio/upload") { _, context in
            try Access.anyone.check(context)
            if let refused = try await gate(context, path: "/studio/upload") { return refused }
            return try await web.page("studio-upload", context, title: "Upload – Studio", [:])
        }
        router.get("studio/videos/:id") { _, context in
            try Access.anyone.check(context)
            let id = context.parameters.get("id") ?? ""
            guard context.principal != nil else { return Self.signIn(next: "/studio/videos/\(id.prefix(64))") }
            guard let details = try VideoLookup(database: database).details(id, to: context.viewer),
                VideoVisibility.canEdit(details.video, context.viewer)
            else {
                return try await web.notFound(context)
            }
            let video = StudioViews.edit(details)
            return try await web.page("studio-edit", context, title: "Edit \(video["title"] as? String ?? "video") – Studio", ["video": video])
        }
    }

    /// The caller's videos, newest first, 100 a page (`?limit=` 1–100 for tests), with a
    /// "More" link carrying the listing's cursor. The bootstrap token owns no videos.
    func listPage(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        let limit = parameters.get("limit").map { Int($0) ?? 0 } ?? 100
        let cursor = parameters.get("cursor")
        guard (1...100).contains(limit), (cursor?.count ?? 0) <= 512 else {
            return try await badPage(context, "This page of your videos does not exist. Start again from the first page.")
        }
        var rows: [[String: Any]] = []
        var next: String?
        if let userID = context.principal?.userID {
            var query = VideoQuery()
            query.scope = .owner(userID)
            query.limit = limit
            query.cursor = cursor
            do {
                let page = try database.videos.list(query)
                rows = page.items.map(StudioViews.row)
                next = page.nextCursor
            } catch is InvalidCursor {
                return try await badPage(context, "This page of your videos does not exist. Start again from the first page.")
            }
        }
        var object: [String: Any] = ["videos": rows, "empty": rows.isEmpty && cursor == nil, "later": cursor != nil]
        if let next {
            var more = URLComponents()
            more.path = "/studio"
            more.queryItems = [URLQueryItem(name: "cursor", value: next)] + (limit == 100 ? [] : [URLQueryItem(name: "limit", value: String(limit))])
            object["more"] = more.string ?? "/studio"
        }
        return try await web.page("studio", context, title: "Studio", object)
    }

    func badPage(_ context: KinoraRequestContext, _ message: String) async throws -> Response {
        try await web.page(
            "studio", context, title: "Studio", ["videos": [[String: Any]](), "empty": false, "later": true, "problem": message], status: .badRequest)
    }

    /// nil when the caller may upload; otherwise the answer: sign in first, or a page saying
    /// that this account cannot upload (403, as the upload API would answer).
    func gate(_ context: KinoraRequestContext, path: String) async throws -> Response? {
        guard let principal = context.principal else { return Self.signIn(next: path) }
        if principal.isAdmin || principal.role == .creator { return nil }
        return try await web.page("studio-refused", context, title: "Studio", [:], status: .forbidden)
    }

    static func signIn(next: String) -> Response {
        var headers = WebHeaders.page
        headers[.location] = SafeRedirect.loginLocation(next: next)
        return Response(status: .seeOther, headers: headers)
    }
}
