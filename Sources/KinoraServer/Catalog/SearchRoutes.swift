import Foundation
import Hummingbird
import KinoraStore

/// `GET /api/v1/search?q=`: full-text search over public, published videos (title, description,
/// tags, channel name), best match first. The words of `q` are matched literally (FTS5 syntax
/// in it is just text), all of them, the last as a prefix.
struct SearchRoutes {
    let database: KinoraDatabase

    static let maxQueryLength = 200

    func register(on router: Router<KinoraRequestContext>) {
        router.get("api/v1/search") { request, context in
            try Access.anyone.check(context)
            let parameters = request.uri.queryParameters
            let q = (parameters.get("q") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !q.isEmpty else { throw ListingParameters.invalid("q", "q is required: the words to search for") }
            guard q.count <= Self.maxQueryLength else { throw ListingParameters.invalid("q", "q is limited to \(Self.maxQueryLength) characters") }
            let limit = try ListingParameters.limit(parameters.get("limit").flatMap { $0.isEmpty ? nil : $0 })
            let page: SearchPage
            page = try database.videos.search(q, limit: limit, cursor: parameters.get("cursor").flatMap { $0.isEmpty ? nil : $0 })
            return try JSONResponse.make(.ok, [
                "items": page.items.map(VideoJSON.object), "next_cursor": page.nextCursor.map { $0 as Any } ?? NSNull(), "total": page.total,
            ] as [String: Any])
        }
    }
}
