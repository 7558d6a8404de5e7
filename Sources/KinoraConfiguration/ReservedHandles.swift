extension KinoraConfig {
    /// Handles that collide with the site's own paths or would pass for the staff or the
    /// platform itself: a channel `@support` or `@kinora-official` looks like it speaks for
    /// the server. Compared in lower case, as handles are stored.
    public static let defaultReservedHandles: Set<String> = [
        "admin", "administrator", "admins", "root", "system", "kinora", "official", "staff", "team",
        "support", "help", "helpdesk", "security", "abuse", "moderator", "moderators", "mod", "mods",
        "about", "contact", "legal", "privacy", "terms", "info", "news", "status",
        "www", "api", "streams", "static", "login", "logout", "signup", "settings", "account", "accounts",
        "user", "users", "channel", "channels", "studio", "feed", "history", "playlists", "search", "watch",
        "reset-password", "healthz", "readyz", "metrics", "webmaster", "postmaster", "hostmaster",
        "noreply", "no-reply", "null", "anonymous", "everyone",
    ]
}
