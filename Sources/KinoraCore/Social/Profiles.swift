import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraStore

/// Public profiles, and the account behind a caller's credentials for everything "mine".
public struct Profiles: Sendable {
    let database: KinoraDatabase

    public static let maxDisplayName = 80
    public static let maxBio = 1000

    public init(database: KinoraDatabase) {
        self.database = database
    }

    /// The caller's account. An access token outlives a disabled or deleted account by up to
    /// its lifetime: such a token is refused here, not only at the next refresh.
    public func signedIn(_ viewer: Viewer) throws -> Profile {
        if viewer.isAnonymous { throw SocialError.needsCredentials }
        guard let id = viewer.userID else { throw SocialError.noAccount }
        guard let profile = try database.profiles.find(id: id), !profile.disabled else { throw SocialError.accountGone }
        return profile
    }

    /// Anyone's profile by username; a disabled (or deleted) account has none.
    public func find(username: String) throws -> Profile {
        guard username.count <= 64, let profile = try database.profiles.find(username: username), !profile.disabled else {
            throw SocialError.profileNotFound(username)
        }
        return profile
    }

    /// Changes `display_name` and `bio` of the signed-in account.
    public func update(_ me: Profile, _ body: [String: JSONValue]) throws -> Profile {
        try BodyFields.refuseUnknownKeys(body, allowed: ["display_name", "bio"])
        let displayName = try BodyFields.text(body, "display_name", max: Self.maxDisplayName, allowEmpty: false)
        let bio = try BodyFields.text(body, "bio", max: Self.maxBio, multiline: true)
        guard let updated = try database.profiles.update(id: me.id, displayName: displayName, bio: bio) else {
            throw SocialError.accountVanished
        }
        return updated
    }

    /// The avatar at `size` pixels; the version in the URL changes with each upload, so caches
    /// never serve an old picture under it.
    public static func avatarURL(_ profile: Profile, size: Int = 256) -> String? {
        profile.avatarVersion.map { "/api/v1/users/\(profile.id)/avatar?size=\(size)&v=\($0)" }
    }
}
