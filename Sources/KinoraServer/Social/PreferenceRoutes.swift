import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraStore

/// `GET`/`PUT /api/v1/me/preferences`.
struct PreferenceRoutes {
    let database: KinoraDatabase

    func register(on router: Router<KinoraRequestContext>) {
        router.get("api/v1/me/preferences") { _, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            return Self.response(Preferences(json: try database.preferences.json(userID: me.id)))
        }
        router.put("api/v1/me/preferences") { request, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let change = JSONValue.object(try await request.jsonMembers())
            let stored = try database.preferences.update(userID: me.id) { current in
                var preferences = Preferences(json: current)
                try preferences.apply(change)
                return JSONValue.object(preferences.stored).jsonString
            }
            return Self.response(Preferences(json: stored))
        }
    }

    static func response(_ preferences: Preferences) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: preferences.effective.jsonString)))
    }
}
