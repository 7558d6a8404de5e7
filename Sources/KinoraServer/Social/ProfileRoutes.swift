import Foundation
import Hummingbird
import KinoraCore
import KinoraHost
import KinoraStore

/// Public profiles (`GET /api/v1/profiles/{username}`) and changing one's own (`PATCH /api/v1/me`),
/// through ``Profiles``.
struct ProfileRoutes {
    let database: KinoraDatabase

    func register(on router: Router<KinoraRequestContext>) {
        router.get("api/v1/profiles/:username") { _, context in
            try Access.anyone.check(context)
            let profile = try Profiles(database: database).find(username: context.parameters.get("username") ?? "")
            return try JSONResponse.make(.ok, Self.object(profile))
        }
        router.patch("api/v1/me") { request, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let updated = try Profiles(database: database).update(me, try await request.jsonMembers())
            var object = Self.object(updated)
            object["role"] = updated.role
            return try JSONResponse.make(.ok, object)
        }
    }

    static func object(_ profile: Profile) -> [String: Any] {
        [
            "id": profile.id, "username": profile.username, "handle": profile.username, "display_name": profile.displayName,
            "bio": profile.bio, "avatar_url": avatarURL(profile) ?? NSNull(), "created_at": SocialHTTP.date(profile.createdAt),
        ]
    }

    static func avatarURL(_ profile: Profile, size: Int = 256) -> String? {
        Profiles.avatarURL(profile, size: size)
    }
}
