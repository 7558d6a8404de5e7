/// The scope each served route needs from an API key. Every route is listed: a new route
/// fails `APIScopeTests` until it is. Pages and reads anyone may make (public videos, streams,
/// avatars, profiles, playlists) need `read`; changes to the account's own things `write`;
/// creating media (multipart and tus) `upload`; whatever only admins may call `admin`.
extension APIScope {
    static let routes: [String: APIScope] = {
        var table: [String: APIScope] = [:]
        for (scope, list) in declared {
            for route in list {
                precondition(table.updateValue(scope, forKey: route) == nil, "\(route) is declared twice")
            }
        }
        return table
    }()

    private static let declared: [(APIScope, [String])] = [
        (
            .read,
            [
                "GET /", "GET /watch/{id}", "GET /search", "GET /settings", "GET /login", "GET /signup", "GET /static/**",
                "GET /reset-password", "GET /studio", "GET /studio/upload", "GET /studio/videos/{id}", "GET /channel/{handle}",
                "GET /feed", "GET /history", "GET /playlists", "GET /playlists/{id}",
                "GET /tv", "GET /tv/search", "GET /tv/watch/{id}",
                "GET /api/docs", "GET /api/openapi.yaml", "GET /healthz", "GET /readyz", "GET /metrics",
                "GET /api/v1/auth/session", "GET /api/v1/auth/oidc/providers", "GET /api/v1/auth/oidc/{provider}/start",
                "GET /api/v1/auth/oidc/{provider}/callback",
                "GET /api/v1/me", "GET /api/v1/me/api-keys", "GET /api/v1/me/channels", "GET /api/v1/me/sessions",
                "GET /api/v1/me/preferences", "GET /api/v1/me/history", "GET /api/v1/me/subscriptions", "GET /api/v1/me/feed",
                "GET /api/v1/me/playlists",
                "GET /api/v1/categories", "GET /api/v1/channels/{id}", "GET /api/v1/search",
                "GET /api/v1/videos", "GET /api/v1/videos/{id}", "GET /api/v1/videos/{id}/events", "GET /api/v1/videos/{id}/captions",
                "GET /api/v1/videos/{id}/audio-tracks",
                "GET /streams/{video}/**", "HEAD /streams/{video}/**", "OPTIONS /streams/{video}/**",
                "GET /api/v1/profiles/{username}", "GET /api/v1/users/{id}/avatar", "GET /api/v1/users/{id}/playlists",
                "GET /api/v1/playlists/{id}",
                "GET /api/v1/videos/{id}/comments", "GET /api/v1/comments/{id}", "GET /api/v1/comments/{id}/replies",
                "GET /api/v1/me/notifications", "GET /api/v1/me/notifications/events", "GET /api/v1/me/notification-preferences",
                "GET /notifications", "GET /notifications/unsubscribe/{token}", "GET /api/v1/notify/channels", "GET /api/v1/me/push-subscriptions",
                "GET /api/v1/me/phone",
            ]
        ),
        (
            .write,
            [
                "POST /api/v1/auth/login", "POST /api/v1/auth/refresh", "POST /api/v1/auth/logout", "POST /api/v1/auth/signup",
                "POST /api/v1/auth/password-reset", "POST /api/v1/auth/session", "DELETE /api/v1/auth/session",
                "POST /api/v1/auth/oidc/exchange",
                "PATCH /api/v1/me", "DELETE /api/v1/me", "POST /api/v1/me/password", "POST /api/v1/me/api-keys",
                "DELETE /api/v1/me/api-keys/{id}", "DELETE /api/v1/me/sessions/{id}",
                "POST /api/v1/me/totp", "POST /api/v1/me/totp/confirm", "POST /api/v1/me/totp/recovery-codes", "DELETE /api/v1/me/totp",
                "PUT /api/v1/me/avatar", "DELETE /api/v1/me/avatar", "PUT /api/v1/me/preferences",
                "POST /api/v1/videos/{id}/progress", "DELETE /api/v1/me/history/{video_id}", "DELETE /api/v1/me/history",
                "PUT /api/v1/channels/{id}/subscription", "DELETE /api/v1/channels/{id}/subscription",
                "POST /api/v1/channels", "PATCH /api/v1/channels/{id}", "DELETE /api/v1/channels/{id}",
                "PATCH /api/v1/videos/{id}", "DELETE /api/v1/videos/{id}",
                "PUT /api/v1/videos/{id}/captions/{lang}", "DELETE /api/v1/videos/{id}/captions/{lang}",
                "PUT /api/v1/videos/{id}/audio-tracks",
                "POST /api/v1/playlists", "PATCH /api/v1/playlists/{id}", "DELETE /api/v1/playlists/{id}",
                "POST /api/v1/playlists/{id}/items", "DELETE /api/v1/playlists/{id}/items/{video_id}", "PUT /api/v1/playlists/{id}/order",
                "POST /api/v1/videos/{id}/comments", "PATCH /api/v1/comments/{id}", "DELETE /api/v1/comments/{id}",
                "PUT /api/v1/comments/{id}/rating", "PUT /api/v1/videos/{id}/rating", "PUT /api/v1/videos/{id}/pinned-comment",
                "POST /api/v1/reports",
                "POST /api/v1/me/notifications/{id}/read", "POST /api/v1/me/notifications/read-all", "PUT /api/v1/me/notification-preferences",
                "POST /notifications/unsubscribe/{token}", "POST /api/v1/notify/callbacks/{instance}",
                "POST /api/v1/me/push-subscriptions", "DELETE /api/v1/me/push-subscriptions/{id}",
                "PUT /api/v1/me/phone", "POST /api/v1/me/phone/verify", "DELETE /api/v1/me/phone",
            ]
        ),
        (
            .upload,
            [
                "POST /api/v1/videos",
                "OPTIONS /api/v1/uploads", "POST /api/v1/uploads",
                "OPTIONS /api/v1/uploads/{id}", "HEAD /api/v1/uploads/{id}", "PATCH /api/v1/uploads/{id}", "DELETE /api/v1/uploads/{id}",
            ]
        ),
        (
            .admin,
            [
                "GET /admin", "GET /admin/plugins", "GET /admin/jobs", "GET /admin/users", "GET /admin/categories",
                "GET /admin/moderation", "GET /admin/moderation/audit", "GET /admin/notifications",
                "GET /api/v1/plugins", "GET /api/v1/admin/overview", "GET /api/v1/admin/jobs",
                "POST /api/v1/admin/jobs/{id}/retry", "POST /api/v1/admin/jobs/{id}/cancel",
                "GET /api/v1/users", "GET /api/v1/users/{id}", "PATCH /api/v1/users/{id}", "DELETE /api/v1/users/{id}",
                "POST /api/v1/users/{id}/password-reset", "GET /api/v1/users/{id}/sessions", "DELETE /api/v1/users/{id}/sessions",
                "GET /api/v1/invitations", "POST /api/v1/invitations", "DELETE /api/v1/invitations/{id}",
                "POST /api/v1/categories", "PATCH /api/v1/categories/{id}", "DELETE /api/v1/categories/{id}",
                // Moderators' too: the scope says "beyond an account's own things".
                "GET /api/v1/moderation/queue", "POST /api/v1/moderation/items/{id}/decision", "POST /api/v1/moderation/decisions",
                "GET /api/v1/moderation/audit", "POST /api/v1/users/{id}/lift-restrictions",
                "GET /api/v1/admin/notifications", "POST /api/v1/admin/notifications/test",
            ]
        ),
    ]
}
