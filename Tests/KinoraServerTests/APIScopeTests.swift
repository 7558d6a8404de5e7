import Foundation
import HTTPTypes
import KinoraServer
import Testing

/// The one table that says which scope an API key needs, by the route the router matched.
@Suite struct APIScopeTests {
    @Test func eachRouteNeedsItsDeclaredScope() {
        let cases: [(HTTPRequest.Method, String, APIScope)] = [
            (.post, "/api/v1/videos", .upload),
            (.get, "/api/v1/videos", .read),
            (.delete, "/api/v1/videos/{id}", .write),
            // Below /api/v1/videos, but watch progress is the viewer's own write, not an upload.
            (.post, "/api/v1/videos/{id}/progress", .write),
            (.post, "/api/v1/uploads", .upload),
            (.patch, "/api/v1/uploads/{id}", .upload),
            (.head, "/api/v1/uploads/{id}", .upload),
            (.get, "/api/v1/users", .admin),
            (.patch, "/api/v1/users/{id}", .admin),
            // Below /api/v1/users, but public: anyone may fetch an avatar or a user's playlists.
            (.get, "/api/v1/users/{id}/avatar", .read),
            (.get, "/api/v1/users/{id}/playlists", .read),
            (.delete, "/api/v1/invitations/{id}", .admin),
            (.get, "/api/v1/plugins", .admin),
            (.get, "/streams/{video}/**", .read),
            (.options, "/streams/{video}/**", .read),
            (.post, "/api/v1/me/api-keys", .write),
            (.put, "/api/v1/videos/{id}/captions/{lang}", .write),
            (.post, "/api/v1/categories", .admin),
            (.get, "/admin/users", .admin),
        ]
        for (method, route, scope) in cases {
            #expect(APIScope.required(method: method, route: route) == scope, "\(method) \(route)")
        }
    }

    @Test func unmatchedRequestsNeedReadAndUndeclaredRoutesAdmin() {
        // No route: the answer is a 404 whatever the key.
        #expect(APIScope.required(method: .delete, route: nil) == .read)
        #expect(APIScope.required(method: .get, route: "NotFound") == .read)
        // A route nobody declared fails closed.
        #expect(APIScope.required(method: .post, route: "/api/v1/not-declared") == .admin)
    }

    /// Walks the routes of the real router (what `kinora routes` prints): each one must say
    /// which scope it needs, and the table may name no route that is not served.
    @Test func everyServedRouteDeclaresItsScope() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kinora-scopes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let routes = try Daemon.routeList(DaemonOptions(dataDir: dir))
        #expect(routes.count > 100 && routes.contains("POST /api/v1/videos/{id}/progress"), "\(routes)")
        let undeclared = routes.filter { !APIScope.isDeclared($0) }
        #expect(undeclared.isEmpty, "routes without a scope in APIScope+Routes.swift: \(undeclared)")
        let stale = APIScope.declaredRoutes.subtracting(routes)
        #expect(stale.isEmpty, "scopes declared for routes the daemon does not serve: \(stale)")
        // Listing routes touched nothing in the data folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }
}
