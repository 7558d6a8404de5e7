import Foundation
import Hummingbird
import KinoraHost
import KinoraStore

/// Public profiles (`GET /api/v1/profiles/{username}`) and changing one's own (`PATCH /api/v1/me`).
struct ProfileRoutes {
    let database: KinoraDatabase

    static let maxDisplayName = 80
    static let maxBio = 1000

    func register(on router: Router<KinoraRequestContext>) {
        // Anyone reads a profile; a disabled (or deleted) account has none.
        router.get("api/v1/profiles/:username") { _, context in
            try Access.anyone.check(context)
            let username = context.parameters.get("username") ?? ""
            guard username.count <= 64, let profile = try database.profiles.find(username: username), !profile.disabled else {
                throw Problem.notFound("no profile \(username.prefix(64))")
            }
            return try JSONResponse.make(.ok, Self.object(profile))
        }
        router.patch("api/v1/me") { request, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let body = try await SocialHTTP.members(request)
            try SocialHTTP.refuseUnknownKeys(body, allowed: ["display_name", "bio"])
            let displayName = try SocialHTTP.text(body, "display_name", max: Self.maxDisplayName, allowEmpty: false)
            let bio = try SocialHTTP.text(body, "bio", max: Self.maxBio, multiline: true)
            guard let updated = try database.profiles.update(id: me.id, displayName: displayName, bio: bio) else {
                throw Problem.unauthorized("the account no longer exists")
            }
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

    /// The 256-pixel avatar; the version in the URL changes with each upload, so caches never
    /// serve an old picture under it.
    static func avatarURL(_ profile: Profile, size: Int = 256) -> String? {
        profile.avatarVersion.map { "/api/v1/users/\(profile.id)/avatar?size=\(size)&v=\($0)" }
    }
}
