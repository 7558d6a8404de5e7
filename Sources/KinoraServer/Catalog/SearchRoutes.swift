import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

/// `GET /api/v1/search?q=`: full-text search over public, published videos (``VideoSearch``).
struct SearchRoutes {
    let database: KinoraDatabase

    func register(on router: Router<KinoraRequestContext>) {
        router.get("api/v1/search") { request, context in
            try Access.anyone.check(context)
            let parameters = request.uri.queryParameters
            func value(_ name: String) -> String? { parameters.get(name).flatMap { $0.isEmpty ? nil : $0 } }
            let q = try VideoSearch.words(parameters.get("q") ?? "")
            let page = try VideoSearch(database: database).search(q, limit: try ListingParameters.limit(value("limit")), cursor: value("cursor"))
            return try JSONResponse.make(
                .ok,
                [
                    "items": page.items.map(VideoJSON.object), "next_cursor": page.nextCursor.map { $0 as Any } ?? NSNull(), "total": page.total,
                ] as [String: Any])
        }
    }
}
