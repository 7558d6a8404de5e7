import Foundation
import Hummingbird

/// What an API key may do, on top of what its owner's role allows.
public enum APIScope: String, Sendable, CaseIterable {
    case read, upload, write, admin

    /// Scope names in the order of `allCases`, as the API lists them.
    static func names(_ scopes: Set<APIScope>) -> [String] {
        allCases.filter(scopes.contains).map(\.rawValue)
    }

    /// The scope a request needs, from the route the router matched (`METHOD /pattern` as
    /// `kinora routes` prints it, e.g. `POST /api/v1/videos/{id}/progress`), never from the
    /// request's path: a prefix rule gave an upload-only key the watch-progress route below
    /// `/api/v1/videos` and asked `admin` for the public avatar below `/api/v1/users`.
    /// `route` is nil when no route matched: such a request can only get a 404, so `read`.
    /// A served route missing from ``routes`` needs `admin` (fail closed); a test holds the
    /// table against the served routes.
    public static func required(method: HTTPRequest.Method, route: String?) -> APIScope {
        guard let route, route != "NotFound" else { return .read }
        return routes["\(method) \(route)"] ?? .admin
    }

    /// True when ``routes`` says which scope `route` (as `kinora routes` prints it) needs.
    public static func isDeclared(_ route: String) -> Bool { routes[route] != nil }

    /// Every route ``routes`` names.
    public static var declaredRoutes: Set<String> { Set(routes.keys) }
}
