import Foundation
import KinoraTestSupport
import Testing

/// Every route, called as anonymous, a viewer, the creator who owns the resource, another
/// creator, a moderator and an admin, against the status each must get. The rows below are
/// the whole specification; a route the daemon serves without a row fails the test, so a new
/// route cannot ship without saying who may call it.
@Suite struct AuthorizationMatrixTests {
    enum Caller: Int, CaseIterable, CustomStringConvertible {
        case anonymous, viewer, owner, other, moderator, admin
        var description: String { ["anonymous", "viewer", "owner", "other creator", "moderator", "admin"][rawValue] }
    }

    /// One request: what it is sent as, given the fixture and the caller (a `prepare` step may
    /// make a fresh resource first, for calls that consume or delete one).
    struct Call {
        var path: String
        var body: [UInt8] = []
        var headers: [String: String] = [:]
    }

    struct Row: Sendable {
        /// The route as `kinora routes` prints it.
        let route: String
        /// Statuses for anonymous, viewer, owner, other creator, moderator, admin.
        let expect: [Int]
        let call: @Sendable (Fixture, Caller) throws -> Call
        var method: String { String(route.split(separator: " ")[0]) }
    }

    static func json(_ path: String, _ object: [String: Any]) throws -> Call {
        Call(path: path, body: Array(try JSONSerialization.data(withJSONObject: object)), headers: ["Content-Type": "application/json"])
    }

    static let everyone = [200, 200, 200, 200, 200, 200]
    static let signedIn = [401, 200, 200, 200, 200, 200]
    static let adminOnly = [401, 403, 403, 403, 403, 200]
    static let uploaders = [401, 403, 201, 201, 403, 201]
    /// A hidden (private) resource of the owner: invisible to everyone but its owner and admins.
    static let hidden = [404, 404, 200, 404, 404, 200]
    /// A studio page: sign in first, then creators and admins only.
    static let studio = [303, 403, 200, 200, 403, 200]
    /// An admin console page: sign in first, then admins only.
    static let adminPage = [303, 403, 403, 403, 403, 200]
    /// The console's moderation pages: sign in first, then moderators and admins.
    static let moderationPage = [303, 403, 403, 403, 200, 200]

    static let rows: [Row] = [
        // The API description and health.
        Row(route: "GET /api/docs", expect: everyone) { _, _ in Call(path: "/api/docs") },
        Row(route: "GET /api/openapi.yaml", expect: everyone) { _, _ in Call(path: "/api/openapi.yaml") },
        Row(route: "GET /healthz", expect: everyone) { _, _ in Call(path: "/healthz") },
        Row(route: "GET /readyz", expect: everyone) { _, _ in Call(path: "/readyz") },
        Row(route: "GET /metrics", expect: everyone) { _, _ in Call(path: "/metrics") },
        Row(route: "GET /api/v1/plugins", expect: adminOnly) { _, _ in Call(path: "/api/v1/plugins") },
        // The admin console's API. The fixture's one job is done: retrying or cancelling it is a conflict.
        Row(route: "GET /api/v1/admin/overview", expect: adminOnly) { _, _ in Call(path: "/api/v1/admin/overview") },
        Row(route: "GET /api/v1/admin/jobs", expect: adminOnly) { _, _ in Call(path: "/api/v1/admin/jobs?state=done") },
        Row(route: "POST /api/v1/admin/jobs/{id}/retry", expect: [401, 403, 403, 403, 403, 409]) { f, _ in
            Call(path: "/api/v1/admin/jobs/\(try f.doneJob())/retry")
        },
        Row(route: "POST /api/v1/admin/jobs/{id}/cancel", expect: [401, 403, 403, 403, 403, 409]) { f, _ in
            Call(path: "/api/v1/admin/jobs/\(try f.doneJob())/cancel")
        },

        // Credentials: anyone may present them; what answers is the credential's own check.
        Row(route: "POST /api/v1/auth/login", expect: everyone) { f, _ in
            try json("/api/v1/auth/login", ["username": "zed", "password": f.password("zed")])
        },
        Row(route: "POST /api/v1/auth/refresh", expect: everyone) { f, _ in try json("/api/v1/auth/refresh", ["refresh_token": try f.refreshToken()])
        },
        Row(route: "POST /api/v1/auth/logout", expect: [204, 204, 204, 204, 204, 204]) { f, _ in
            try json("/api/v1/auth/logout", ["refresh_token": try f.refreshToken()])
        },
        Row(route: "POST /api/v1/auth/signup", expect: [201, 201, 201, 201, 201, 201]) { f, _ in
            try json("/api/v1/auth/signup", ["username": f.unique("new"), "password": "a long enough password"])
        },
        Row(route: "POST /api/v1/auth/password-reset", expect: [401, 401, 401, 401, 401, 401]) { _, _ in
            try json("/api/v1/auth/password-reset", ["token": "not-a-reset-token", "new_password": "a long enough password"])
        },
        Row(route: "POST /api/v1/auth/session", expect: everyone) { f, _ in
            try json("/api/v1/auth/session", ["username": "zed", "password": f.password("zed")])
        },
        // A bearer token is no browser session.
        Row(route: "GET /api/v1/auth/session", expect: [401, 404, 404, 404, 404, 404]) { _, _ in Call(path: "/api/v1/auth/session") },
        // Logging out is idempotent: without a session there is nothing to end.
        Row(route: "DELETE /api/v1/auth/session", expect: [204, 204, 204, 204, 204, 204]) { _, _ in Call(path: "/api/v1/auth/session") },
        Row(route: "GET /api/v1/auth/oidc/providers", expect: everyone) { _, _ in Call(path: "/api/v1/auth/oidc/providers") },
        Row(route: "GET /api/v1/auth/oidc/{provider}/start", expect: [404, 404, 404, 404, 404, 404]) { _, _ in
            Call(path: "/api/v1/auth/oidc/none/start")
        },
        Row(route: "GET /api/v1/auth/oidc/{provider}/callback", expect: [404, 404, 404, 404, 404, 404]) { _, _ in
            Call(path: "/api/v1/auth/oidc/none/callback?code=x&state=y")
        },
        Row(route: "POST /api/v1/auth/oidc/exchange", expect: [400, 400, 400, 400, 400, 400]) { _, _ in
            try json("/api/v1/auth/oidc/exchange", ["code": "not-a-code"])
        },

        // The caller's own account.
        Row(route: "GET /api/v1/me", expect: signedIn) { _, _ in Call(path: "/api/v1/me") },
        Row(route: "POST /api/v1/me/password", expect: [401, 403, 403, 403, 403, 403]) { _, _ in
            try json("/api/v1/me/password", ["current_password": "not the password", "new_password": "a long enough password"])
        },
        Row(route: "GET /api/v1/me/api-keys", expect: signedIn) { _, _ in Call(path: "/api/v1/me/api-keys") },
        Row(route: "POST /api/v1/me/api-keys", expect: [401, 201, 201, 201, 201, 201]) { _, _ in
            try json("/api/v1/me/api-keys", ["name": "ci", "scopes": ["read"]])
        },
        Row(route: "DELETE /api/v1/me/api-keys/{id}", expect: [401, 204, 204, 204, 204, 204]) { f, caller in
            Call(path: "/api/v1/me/api-keys/\(try f.apiKey(of: caller == .anonymous ? .owner : caller))")
        },
        Row(route: "GET /api/v1/me/channels", expect: signedIn) { _, _ in Call(path: "/api/v1/me/channels") },
        Row(route: "GET /api/v1/me/sessions", expect: signedIn) { _, _ in Call(path: "/api/v1/me/sessions") },
        Row(route: "DELETE /api/v1/me/sessions/{id}", expect: [401, 204, 204, 204, 204, 204]) { f, caller in
            Call(path: "/api/v1/me/sessions/\(try f.session(of: caller == .anonymous ? .owner : caller))")
        },
        Row(route: "GET /api/v1/users/{id}/sessions", expect: adminOnly) { f, _ in Call(path: "/api/v1/users/\(f.ids["zed"]!)/sessions") },
        Row(route: "DELETE /api/v1/users/{id}/sessions", expect: [401, 403, 403, 403, 403, 204]) { f, _ in
            Call(path: "/api/v1/users/\(f.ids["zed"]!)/sessions")
        },
        Row(route: "POST /api/v1/me/totp", expect: signedIn) { _, _ in Call(path: "/api/v1/me/totp") },
        Row(route: "POST /api/v1/me/totp/confirm", expect: [401, 422, 422, 422, 422, 422]) { _, _ in
            try json("/api/v1/me/totp/confirm", ["code": "000000"])
        },
        Row(route: "POST /api/v1/me/totp/recovery-codes", expect: [401, 409, 409, 409, 409, 409]) { f, caller in
            try json("/api/v1/me/totp/recovery-codes", ["password": f.password(caller)])
        },
        // Ends the enrolment the POST row above started.
        Row(route: "DELETE /api/v1/me/totp", expect: [401, 204, 204, 204, 204, 204]) { f, caller in
            try json("/api/v1/me/totp", ["password": f.password(caller)])
        },

        // Account administration.
        Row(route: "GET /api/v1/users", expect: adminOnly) { _, _ in Call(path: "/api/v1/users") },
        Row(route: "GET /api/v1/users/{id}", expect: adminOnly) { f, _ in Call(path: "/api/v1/users/\(f.ids["zed"]!)") },
        Row(route: "PATCH /api/v1/users/{id}", expect: adminOnly) { f, _ in try json("/api/v1/users/\(f.ids["zed"]!)", ["display_name": "Zed"]) },
        Row(route: "POST /api/v1/users/{id}/password-reset", expect: [401, 403, 403, 403, 403, 201]) { f, _ in
            Call(path: "/api/v1/users/\(f.ids["zed"]!)/password-reset")
        },
        Row(route: "GET /api/v1/invitations", expect: adminOnly) { _, _ in Call(path: "/api/v1/invitations") },
        Row(route: "POST /api/v1/invitations", expect: [401, 403, 403, 403, 403, 201]) { _, _ in try json("/api/v1/invitations", [:]) },
        Row(route: "DELETE /api/v1/invitations/{id}", expect: [401, 403, 403, 403, 403, 204]) { f, _ in
            Call(path: "/api/v1/invitations/\(try f.invitation())")
        },

        // Catalog: categories are the admins', channels their owners'.
        Row(route: "GET /api/v1/categories", expect: everyone) { _, _ in Call(path: "/api/v1/categories") },
        Row(route: "POST /api/v1/categories", expect: [401, 403, 403, 403, 403, 201]) { f, _ in
            try json("/api/v1/categories", ["id": f.unique("cat"), "name": "Category"])
        },
        Row(route: "PATCH /api/v1/categories/{id}", expect: adminOnly) { _, _ in try json("/api/v1/categories/music", ["name": "Music!"]) },
        Row(route: "DELETE /api/v1/categories/{id}", expect: [401, 403, 403, 403, 403, 204]) { f, _ in
            Call(path: "/api/v1/categories/\(try f.category())")
        },
        Row(route: "POST /api/v1/channels", expect: uploaders) { f, _ in
            try json("/api/v1/channels", ["handle": f.unique("ch"), "name": "Another channel"])
        },
        Row(route: "GET /api/v1/channels/{id}", expect: everyone) { f, _ in Call(path: "/api/v1/channels/\(f.channel)") },
        Row(route: "PATCH /api/v1/channels/{id}", expect: [401, 403, 200, 403, 403, 200]) { f, _ in
            try json("/api/v1/channels/\(f.channel)", ["description": "Updated"])
        },
        Row(route: "DELETE /api/v1/channels/{id}", expect: [401, 403, 204, 403, 403, 204]) { f, _ in
            Call(path: "/api/v1/channels/\(try f.emptyChannel())")
        },
        Row(route: "GET /api/v1/search", expect: everyone) { _, _ in Call(path: "/api/v1/search?q=matrix") },

        // Videos: the private one exists only for its owner and admins.
        Row(route: "GET /api/v1/videos", expect: everyone) { _, _ in Call(path: "/api/v1/videos") },
        Row(route: "POST /api/v1/videos", expect: uploaders) { f, _ in f.uploadCall() },
        Row(route: "GET /api/v1/videos/{id}", expect: hidden) { f, _ in Call(path: "/api/v1/videos/\(f.privateVideo)") },
        Row(route: "PATCH /api/v1/videos/{id}", expect: [401, 404, 200, 404, 404, 200]) { f, _ in
            try json("/api/v1/videos/\(f.privateVideo)", ["description": "Edited"])
        },
        Row(route: "DELETE /api/v1/videos/{id}", expect: [401, 404, 204, 404, 404, 204]) { f, _ in
            Call(path: "/api/v1/videos/\(try f.freshPrivateVideo())")
        },
        Row(route: "GET /api/v1/videos/{id}/events", expect: hidden) { f, _ in Call(path: "/api/v1/videos/\(f.privateVideo)/events") },
        Row(route: "GET /api/v1/videos/{id}/captions", expect: hidden) { f, _ in Call(path: "/api/v1/videos/\(f.privateVideo)/captions") },
        // The owner adds the track (201); the admin then replaces it (200).
        Row(route: "PUT /api/v1/videos/{id}/captions/{lang}", expect: [401, 404, 201, 404, 404, 200]) { f, _ in
            Call(path: "/api/v1/videos/\(f.privateVideo)/captions/en", body: Fixture.vtt, headers: ["Content-Type": "text/vtt"])
        },
        Row(route: "DELETE /api/v1/videos/{id}/captions/{lang}", expect: [401, 404, 204, 404, 404, 204]) { f, _ in
            Call(path: "/api/v1/videos/\(try f.captionedPrivateVideo())/captions/fr")
        },
        Row(route: "GET /api/v1/videos/{id}/audio-tracks", expect: hidden) { f, _ in Call(path: "/api/v1/videos/\(f.privateVideo)/audio-tracks") },
        // The owner and the admin relabel the clip's lone track (the manifests are written again).
        Row(route: "PUT /api/v1/videos/{id}/audio-tracks", expect: [401, 404, 200, 404, 404, 200]) { f, _ in
            Call(
                path: "/api/v1/videos/\(f.privateVideo)/audio-tracks", body: Array(#"[{"id":"audio","language":"en","name":"English"}]"#.utf8),
                headers: ["Content-Type": "application/json"])
        },
        Row(route: "GET /streams/{video}/**", expect: hidden) { f, _ in Call(path: "/streams/\(f.privateVideo)/master.m3u8") },
        Row(route: "HEAD /streams/{video}/**", expect: hidden) { f, _ in Call(path: "/streams/\(f.privateVideo)/master.m3u8") },
        Row(route: "OPTIONS /streams/{video}/**", expect: [204, 204, 204, 204, 204, 204]) { f, _ in
            Call(path: "/streams/\(f.privateVideo)/master.m3u8")
        },

        // The web UI's pages and static files: pages for everyone, a hidden video's watch page
        // only for its owner and admins (the HTML 404 page for everyone else).
        Row(route: "GET /", expect: everyone) { _, _ in Call(path: "/") },
        Row(route: "GET /watch/{id}", expect: hidden) { f, _ in Call(path: "/watch/\(f.privateVideo)") },
        Row(route: "GET /search", expect: everyone) { _, _ in Call(path: "/search?q=matrix") },
        Row(route: "GET /settings", expect: [303, 200, 200, 200, 200, 200]) { _, _ in Call(path: "/settings") },
        Row(route: "GET /login", expect: everyone) { _, _ in Call(path: "/login") },
        Row(route: "GET /signup", expect: everyone) { _, _ in Call(path: "/signup") },
        Row(route: "GET /static/**", expect: everyone) { _, _ in Call(path: "/static/css/site.css") },
        // The creator studio: anonymous callers are sent to sign in, roles that cannot upload
        // get a page saying so, someone else's video is the 404 page.
        Row(route: "GET /reset-password", expect: everyone) { _, _ in Call(path: "/reset-password") },
        Row(route: "GET /studio", expect: studio) { _, _ in Call(path: "/studio") },
        Row(route: "GET /studio/upload", expect: studio) { _, _ in Call(path: "/studio/upload") },
        Row(route: "GET /studio/videos/{id}", expect: [303, 404, 200, 404, 404, 200]) { f, _ in Call(path: "/studio/videos/\(f.privateVideo)") },
        // The viewer's pages: channels for everyone, the caller's own lists after signing in,
        // a private playlist only for its owner and admins.
        Row(route: "GET /channel/{handle}", expect: everyone) { _, _ in Call(path: "/channel/alice") },
        Row(route: "GET /feed", expect: [303, 200, 200, 200, 200, 200]) { _, _ in Call(path: "/feed") },
        Row(route: "GET /history", expect: [303, 200, 200, 200, 200, 200]) { _, _ in Call(path: "/history") },
        Row(route: "GET /playlists", expect: [303, 200, 200, 200, 200, 200]) { _, _ in Call(path: "/playlists") },
        Row(route: "GET /playlists/{id}", expect: hidden) { f, _ in Call(path: "/playlists/\(f.playlist)") },
        // TV mode: pages for everyone, a hidden video's player only for its owner and admins.
        Row(route: "GET /tv", expect: everyone) { _, _ in Call(path: "/tv") },
        Row(route: "GET /tv/search", expect: everyone) { _, _ in Call(path: "/tv/search?q=matrix") },
        Row(route: "GET /tv/watch/{id}", expect: hidden) { f, _ in Call(path: "/tv/watch/\(f.privateVideo)") },
        // The admin console: sign in first, then admins only.
        Row(route: "GET /admin", expect: adminPage) { _, _ in Call(path: "/admin") },
        Row(route: "GET /admin/plugins", expect: adminPage) { _, _ in Call(path: "/admin/plugins") },
        Row(route: "GET /admin/jobs", expect: adminPage) { _, _ in Call(path: "/admin/jobs?state=failed") },
        Row(route: "GET /admin/users", expect: adminPage) { _, _ in Call(path: "/admin/users") },
        Row(route: "GET /admin/categories", expect: adminPage) { _, _ in Call(path: "/admin/categories") },
        Row(route: "GET /admin/moderation", expect: moderationPage) { _, _ in Call(path: "/admin/moderation") },
        Row(route: "GET /admin/moderation/audit", expect: moderationPage) { _, _ in Call(path: "/admin/moderation/audit") },

        // Profiles, preferences, history and subscriptions: the caller's own.
        Row(route: "GET /api/v1/profiles/{username}", expect: everyone) { _, _ in Call(path: "/api/v1/profiles/alice") },
        Row(route: "PATCH /api/v1/me", expect: signedIn) { _, _ in try json("/api/v1/me", ["bio": "Matrix"]) },
        // A wrong password: deleting oneself needs the right one, whoever one is.
        Row(route: "DELETE /api/v1/me", expect: [401, 403, 403, 403, 403, 403]) { _, _ in try json("/api/v1/me", ["password": "not the password"]) },
        Row(route: "PUT /api/v1/me/avatar", expect: signedIn) { f, _ in
            Call(path: "/api/v1/me/avatar", body: f.avatar, headers: ["Content-Type": "image/png"])
        },
        Row(route: "GET /api/v1/users/{id}/avatar", expect: everyone) { f, _ in Call(path: "/api/v1/users/\(f.ids["alice"]!)/avatar?size=64") },
        Row(route: "DELETE /api/v1/me/avatar", expect: [401, 204, 204, 204, 204, 204]) { _, _ in Call(path: "/api/v1/me/avatar") },
        Row(route: "GET /api/v1/me/preferences", expect: signedIn) { _, _ in Call(path: "/api/v1/me/preferences") },
        Row(route: "PUT /api/v1/me/preferences", expect: signedIn) { _, _ in try json("/api/v1/me/preferences", ["autoplay": false]) },
        Row(route: "POST /api/v1/videos/{id}/progress", expect: [401, 404, 200, 404, 404, 200]) { f, _ in
            try json("/api/v1/videos/\(f.privateVideo)/progress", ["position": 0.5])
        },
        Row(route: "GET /api/v1/me/history", expect: signedIn) { _, _ in Call(path: "/api/v1/me/history") },
        // Only the owner and the admin could watch the private video, so only theirs has it.
        Row(route: "DELETE /api/v1/me/history/{video_id}", expect: [401, 404, 204, 404, 404, 204]) { f, _ in
            Call(path: "/api/v1/me/history/\(f.privateVideo)")
        },
        Row(route: "DELETE /api/v1/me/history", expect: [401, 204, 204, 204, 204, 204]) { _, _ in Call(path: "/api/v1/me/history") },
        Row(route: "PUT /api/v1/channels/{id}/subscription", expect: [401, 201, 201, 201, 201, 201]) { f, _ in
            Call(path: "/api/v1/channels/\(f.channel)/subscription")
        },
        Row(route: "GET /api/v1/me/subscriptions", expect: signedIn) { _, _ in Call(path: "/api/v1/me/subscriptions") },
        Row(route: "GET /api/v1/me/feed", expect: signedIn) { _, _ in Call(path: "/api/v1/me/feed") },
        // Notifications: each account's own; the stream is cut after a second.
        Row(route: "GET /api/v1/me/notifications", expect: signedIn) { _, _ in Call(path: "/api/v1/me/notifications") },
        Row(route: "GET /api/v1/me/notifications/events", expect: signedIn) { _, _ in Call(path: "/api/v1/me/notifications/events?max_seconds=1") },
        Row(route: "POST /api/v1/me/notifications/read-all", expect: signedIn) { _, _ in Call(path: "/api/v1/me/notifications/read-all") },
        Row(route: "POST /api/v1/me/notifications/{id}/read", expect: [401, 404, 404, 404, 404, 404]) { _, _ in
            Call(path: "/api/v1/me/notifications/999999/read")
        },
        Row(route: "GET /api/v1/me/notification-preferences", expect: signedIn) { _, _ in Call(path: "/api/v1/me/notification-preferences") },
        Row(route: "PUT /api/v1/me/notification-preferences", expect: signedIn) { _, _ in
            try json("/api/v1/me/notification-preferences", ["comment.reply": ["email": false]])
        },
        // Anyone may follow an unsubscribe link (it carries its own signature): a forged one is 400.
        Row(route: "GET /notifications/unsubscribe/{token}", expect: [400, 400, 400, 400, 400, 400]) { _, _ in
            Call(path: "/notifications/unsubscribe/forged.token")
        },
        Row(route: "POST /notifications/unsubscribe/{token}", expect: [400, 400, 400, 400, 400, 400]) { _, _ in
            Call(path: "/notifications/unsubscribe/forged.token", body: Array("List-Unsubscribe=One-Click".utf8), headers: ["Content-Type": "application/x-www-form-urlencoded"])
        },
        // Providers call back without credentials; no channel of this daemon takes callbacks.
        Row(route: "POST /api/v1/notify/callbacks/{instance}", expect: [404, 404, 404, 404, 404, 404]) { _, _ in
            Call(path: "/api/v1/notify/callbacks/sms", body: Array("MessageSid=SM1".utf8), headers: ["Content-Type": "application/x-www-form-urlencoded"])
        },
        // Addresses: each account's own; no channel of this daemon texts, so a number cannot be set.
        Row(route: "GET /api/v1/notify/channels", expect: signedIn) { _, _ in Call(path: "/api/v1/notify/channels") },
        Row(route: "GET /api/v1/me/push-subscriptions", expect: signedIn) { _, _ in Call(path: "/api/v1/me/push-subscriptions") },
        Row(route: "POST /api/v1/me/push-subscriptions", expect: [401, 422, 422, 422, 422, 422]) { _, _ in
            try json("/api/v1/me/push-subscriptions", ["endpoint": "https://push.example/x", "keys": ["p256dh": "short", "auth": "short"]])
        },
        Row(route: "DELETE /api/v1/me/push-subscriptions/{id}", expect: [401, 404, 404, 404, 404, 404]) { _, _ in
            Call(path: "/api/v1/me/push-subscriptions/nosuch")
        },
        Row(route: "GET /api/v1/me/phone", expect: signedIn) { _, _ in Call(path: "/api/v1/me/phone") },
        Row(route: "PUT /api/v1/me/phone", expect: [401, 404, 404, 404, 404, 404]) { _, _ in try json("/api/v1/me/phone", ["number": "+14155550123"]) },
        Row(route: "POST /api/v1/me/phone/verify", expect: [401, 422, 422, 422, 422, 422]) { _, _ in
            try json("/api/v1/me/phone/verify", ["code": "123456"])
        },
        Row(route: "DELETE /api/v1/me/phone", expect: [401, 204, 204, 204, 204, 204]) { _, _ in Call(path: "/api/v1/me/phone") },
        Row(route: "GET /notifications", expect: [303, 200, 200, 200, 200, 200]) { _, _ in Call(path: "/notifications") },
        Row(route: "GET /admin/notifications", expect: adminPage) { _, _ in Call(path: "/admin/notifications") },
        Row(route: "GET /api/v1/admin/notifications", expect: adminOnly) { _, _ in Call(path: "/api/v1/admin/notifications") },
        Row(route: "POST /api/v1/admin/notifications/test", expect: [401, 403, 403, 403, 403, 404]) { _, _ in
            try json("/api/v1/admin/notifications/test", ["channel": "none-here"])
        },
        Row(route: "DELETE /api/v1/channels/{id}/subscription", expect: [401, 204, 204, 204, 204, 204]) { f, _ in
            Call(path: "/api/v1/channels/\(f.channel)/subscription")
        },
        Row(route: "DELETE /api/v1/users/{id}", expect: [401, 403, 403, 403, 403, 204]) { f, _ in Call(path: "/api/v1/users/\(try f.freshAccount())")
        },

        // Playlists: a private one exists only for its owner and admins.
        Row(route: "GET /api/v1/me/playlists", expect: signedIn) { _, _ in Call(path: "/api/v1/me/playlists") },
        Row(route: "GET /api/v1/users/{id}/playlists", expect: everyone) { f, _ in Call(path: "/api/v1/users/\(f.ids["alice"]!)/playlists") },
        Row(route: "POST /api/v1/playlists", expect: [401, 201, 201, 201, 201, 201]) { _, _ in try json("/api/v1/playlists", ["title": "Mine"]) },
        Row(route: "GET /api/v1/playlists/{id}", expect: hidden) { f, _ in Call(path: "/api/v1/playlists/\(f.playlist)") },
        Row(route: "PATCH /api/v1/playlists/{id}", expect: [401, 404, 200, 404, 404, 200]) { f, _ in
            try json("/api/v1/playlists/\(f.playlist)", ["description": "Edited"])
        },
        Row(route: "DELETE /api/v1/playlists/{id}", expect: [401, 404, 204, 404, 404, 204]) { f, _ in
            Call(path: "/api/v1/playlists/\(try f.freshPlaylist(withItem: false))")
        },
        Row(route: "POST /api/v1/playlists/{id}/items", expect: [401, 404, 201, 404, 404, 201]) { f, _ in
            try json("/api/v1/playlists/\(try f.freshPlaylist(withItem: false))/items", ["video_id": f.privateVideo])
        },
        Row(route: "DELETE /api/v1/playlists/{id}/items/{video_id}", expect: [401, 404, 204, 404, 404, 204]) { f, _ in
            Call(path: "/api/v1/playlists/\(try f.freshPlaylist(withItem: true))/items/\(f.privateVideo)")
        },
        Row(route: "PUT /api/v1/playlists/{id}/order", expect: [401, 404, 200, 404, 404, 200]) { f, _ in
            try json("/api/v1/playlists/\(try f.freshPlaylist(withItem: true))/order", ["video_ids": [f.privateVideo]])
        },

        // Comments follow their video: those of the owner's private video exist for the owner
        // and admins only; an edit is the author's alone, a removal by an admin needs a reason.
        Row(route: "GET /api/v1/videos/{id}/comments", expect: hidden) { f, _ in Call(path: "/api/v1/videos/\(f.privateVideo)/comments") },
        Row(route: "POST /api/v1/videos/{id}/comments", expect: [401, 404, 201, 404, 404, 201]) { f, _ in
            try json("/api/v1/videos/\(f.privateVideo)/comments", ["body": "Nice"])
        },
        Row(route: "GET /api/v1/comments/{id}", expect: hidden) { f, _ in Call(path: "/api/v1/comments/\(try f.freshComment())") },
        Row(route: "GET /api/v1/comments/{id}/replies", expect: hidden) { f, _ in Call(path: "/api/v1/comments/\(try f.freshComment())/replies") },
        Row(route: "PATCH /api/v1/comments/{id}", expect: [401, 404, 200, 404, 404, 403]) { f, _ in
            try json("/api/v1/comments/\(try f.freshComment())", ["body": "Edited"])
        },
        Row(route: "DELETE /api/v1/comments/{id}", expect: [401, 404, 204, 404, 404, 204]) { f, _ in
            Call(path: "/api/v1/comments/\(try f.freshComment())?reason=spam")
        },
        Row(route: "PUT /api/v1/comments/{id}/rating", expect: [401, 404, 200, 404, 404, 200]) { f, _ in
            try json("/api/v1/comments/\(try f.freshComment())/rating", ["rating": "like"])
        },
        Row(route: "PUT /api/v1/videos/{id}/rating", expect: [401, 404, 200, 404, 404, 200]) { f, _ in
            try json("/api/v1/videos/\(f.privateVideo)/rating", ["rating": "dislike"])
        },
        Row(route: "PUT /api/v1/videos/{id}/pinned-comment", expect: [401, 404, 204, 404, 404, 204]) { f, _ in
            try json("/api/v1/videos/\(f.privateVideo)/pinned-comment", ["comment_id": try f.freshComment()])
        },

        // Reports of what the caller can see (the owner's private video: owner and admins);
        // the queue, decisions and audit are for moderators and admins.
        Row(route: "POST /api/v1/reports", expect: [401, 404, 201, 404, 404, 201]) { f, caller in
            try json("/api/v1/reports", ["target_type": "video", "target_id": f.privateVideo, "reason": "spam", "detail": "\(caller)"])
        },
        Row(route: "GET /api/v1/moderation/queue", expect: [401, 403, 403, 403, 200, 200]) { _, _ in Call(path: "/api/v1/moderation/queue") },
        Row(route: "POST /api/v1/moderation/items/{id}/decision", expect: [401, 403, 403, 403, 200, 200]) { f, _ in
            try json("/api/v1/moderation/items/\(try f.freshQueueItem())/decision", ["action": "warn", "reason": "matrix"])
        },
        Row(route: "POST /api/v1/moderation/decisions", expect: [401, 403, 403, 403, 200, 200]) { f, _ in
            try json("/api/v1/moderation/decisions", ["items": [try f.freshQueueItem()], "action": "warn", "reason": "matrix"])
        },
        Row(route: "GET /api/v1/moderation/audit", expect: [401, 403, 403, 403, 200, 200]) { _, _ in Call(path: "/api/v1/moderation/audit") },
        Row(route: "POST /api/v1/users/{id}/lift-restrictions", expect: [401, 403, 403, 403, 204, 204]) { f, _ in
            try json("/api/v1/users/\(f.ids["zed"]!)/lift-restrictions", ["reason": "matrix"])
        },

        // tus: an upload exists for its creator and admins only.
        Row(route: "OPTIONS /api/v1/uploads", expect: [204, 204, 204, 204, 204, 204]) { _, _ in Call(path: "/api/v1/uploads") },
        Row(route: "OPTIONS /api/v1/uploads/{id}", expect: [204, 204, 204, 204, 204, 204]) { f, _ in Call(path: "/api/v1/uploads/\(f.upload)") },
        Row(route: "POST /api/v1/uploads", expect: uploaders) { _, _ in
            Call(path: "/api/v1/uploads", headers: ["Tus-Resumable": "1.0.0", "Upload-Length": "100"])
        },
        Row(route: "HEAD /api/v1/uploads/{id}", expect: [401, 403, 200, 404, 403, 200]) { f, _ in
            Call(path: "/api/v1/uploads/\(f.upload)", headers: ["Tus-Resumable": "1.0.0"])
        },
        Row(route: "PATCH /api/v1/uploads/{id}", expect: [401, 403, 204, 404, 403, 204]) { f, _ in
            Call(
                path: "/api/v1/uploads/\(try f.freshUpload())", body: Array(repeating: 7, count: 10),
                headers: ["Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"])
        },
        Row(route: "DELETE /api/v1/uploads/{id}", expect: [401, 403, 204, 404, 403, 204]) { f, _ in
            Call(path: "/api/v1/uploads/\(try f.freshUpload())", headers: ["Tus-Resumable": "1.0.0"])
        },
    ]

    @Test func everyRouteAnswersEachCallerAsTheTableSays() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("matrix")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Limits off: this test is about who may call, not how often.
        try """
        [data]
        dir = "\(dir)/data"
        [rate_limit]
        enabled = false
        [auth]
        signup = "open"
        signup_attempts_per_hour = 1000
        [moderation]
        comments_per_minute = 1000
        """.write(toFile: dir + "/kinora.toml", atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", dir + "/kinora.toml"])
        try await daemon.start()
        let fixture = try await Fixture.make(daemon, dir: dir)

        // The table covers every served route.
        let served = try APIContractTests.servedRoutes().split(separator: "\n").map(String.init)
        let covered = Set(Self.rows.map(\.route))
        let missing = served.filter { !covered.contains($0) }
        #expect(missing.isEmpty, "routes without a row in the authorization matrix: \(missing)")
        let unknown = covered.subtracting(served)
        #expect(unknown.isEmpty, "rows for routes the daemon does not serve: \(unknown)")

        var mismatches: [String] = []
        for row in Self.rows {
            for caller in Caller.allCases {
                let call = try row.call(fixture, caller)
                let result = try daemon.request(
                    row.method, call.path, headers: call.headers.merging(fixture.credentials(caller)) { $1 }, body: call.body)
                if result.status != row.expect[caller.rawValue] {
                    mismatches.append(
                        "\(row.route) as \(caller): \(result.status), expected \(row.expect[caller.rawValue]) \(result.body.prefix(160))")
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(mismatches.joined(separator: "\n"))")
        #expect(try await daemon.stop() == 0)
    }
}
