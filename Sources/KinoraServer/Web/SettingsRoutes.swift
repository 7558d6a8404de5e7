import Foundation
import Hummingbird
import KinoraStore

/// `/settings`: the signed-in account's own page, in sections (profile, preferences, password,
/// two-factor, sessions, API keys). The page renders the profile as stored; every change goes
/// through the JSON API from the page's scripts, which checks again. Anonymous callers are
/// sent to sign in first.
struct SettingsRoutes {
    let web: WebRoutes

    func register(on router: Router<KinoraRequestContext>) {
        router.get("settings") { _, context in
            try Access.anyone.check(context)
            guard context.principal != nil else { return StudioRoutes.signIn(next: "/settings") }
            var object: [String: Any] = [:]
            // The bootstrap token has no account: the page says so instead of showing forms.
            if let id = context.principal?.userID, let profile = try web.database.profiles.find(id: id), !profile.disabled {
                var account: [String: Any] = ["username": profile.username, "displayName": profile.displayName, "bio": profile.bio]
                if let avatar = ProfileRoutes.avatarURL(profile) { account["avatar"] = avatar }
                object["account"] = account
            }
            return try await web.page("settings", context, title: "Settings", object)
        }
    }
}
