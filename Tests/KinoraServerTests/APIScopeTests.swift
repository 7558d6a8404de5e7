import HTTPTypes
import KinoraServer
import Testing

/// The one table that says which scope an API key needs for a request.
@Suite struct APIScopeTests {
    @Test func eachRequestNeedsTheScopeOfTheFirstMatchingRule() {
        let cases: [(HTTPRequest.Method, String, APIScope)] = [
            (.post, "/api/v1/videos", .upload),
            (.get, "/api/v1/videos", .read),
            (.delete, "/api/v1/videos/abc", .write),
            (.post, "/api/v1/uploads", .upload),
            (.patch, "/api/v1/uploads/abc", .upload),
            (.head, "/api/v1/uploads/abc", .upload),
            (.get, "/api/v1/users", .admin),
            (.patch, "/api/v1/users/abc", .admin),
            (.get, "/api/v1/usersettings", .read),
            (.delete, "/api/v1/invitations/abc", .admin),
            (.get, "/api/v1/plugins", .admin),
            (.get, "/streams/abc/master.m3u8", .read),
            (.options, "/streams/abc/master.m3u8", .read),
            (.post, "/api/v1/me/api-keys", .write),
            (.put, "/api/v1/videos/abc/captions/en", .write),
        ]
        for (method, path, scope) in cases {
            #expect(APIScope.required(method: method, path: path) == scope, "\(method) \(path)")
        }
    }

    @Test func oddSpellingsOfAnAdminPathStillNeedAdmin() {
        for path in ["/api/v1//users", "/api/v1/users/", "/api/v1/%75sers", "//api/v1/plugins"] {
            #expect(APIScope.required(method: .get, path: path) == .admin, "\(path)")
        }
    }
}
