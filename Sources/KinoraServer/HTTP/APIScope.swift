import Foundation
import Hummingbird

/// What an API key may do, on top of what its owner's role allows.
public enum APIScope: String, Sendable, CaseIterable {
    case read, upload, write, admin

    /// Scope names in the order of `allCases`, as the API lists them.
    static func names(_ scopes: Set<APIScope>) -> [String] {
        allCases.filter(scopes.contains).map(\.rawValue)
    }

    /// One rule of ``table``: requests with one of `methods` (any when nil) whose path is
    /// `path` or lies below it (any path when nil) need `scope`.
    struct Rule: Sendable {
        let scope: APIScope
        let methods: Set<HTTPRequest.Method>?
        let path: String?

        init(_ scope: APIScope, _ methods: Set<HTTPRequest.Method>? = nil, _ path: String? = nil) {
            self.scope = scope
            self.methods = methods
            self.path = path
        }

        func matches(_ method: HTTPRequest.Method, _ requestPath: String) -> Bool {
            if let methods, !methods.contains(method) { return false }
            guard let path else { return true }
            return requestPath == path || requestPath.hasPrefix(path + "/")
        }
    }

    /// The scope each request needs: the first rule that matches wins. This table is the only
    /// place that says it; a route that is admin-only by nature is listed here by its prefix.
    static let table: [Rule] = [
        Rule(.upload, [.post], "/api/v1/videos"),
        Rule(.upload, nil, "/api/v1/uploads"),
        Rule(.admin, nil, "/api/v1/users"),
        Rule(.admin, nil, "/api/v1/invitations"),
        Rule(.admin, nil, "/api/v1/plugins"),
        Rule(.admin, nil, "/api/v1/admin"),
        Rule(.read, [.get, .head, .options]),
        Rule(.write),
    ]

    public static func required(method: HTTPRequest.Method, path: String) -> APIScope {
        // Compare the path as the router reads it: percent-decoded, without empty segments,
        // so `/api/v1//users` or `/api/v1/%75sers` cannot slip past an admin prefix.
        let decoded = path.removingPercentEncoding ?? path
        let normalized = "/" + decoded.split(separator: "/").joined(separator: "/")
        return table.first { $0.matches(method, normalized) }?.scope ?? .write
    }
}
