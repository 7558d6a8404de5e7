import HTTPTypes

/// The security headers of every page and static file of the web UI. The policy allows no
/// inline script or style at all, so an injected tag can run nothing even where escaping failed.
enum WebHeaders {
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        + "media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    static var security: HTTPFields {
        [
            .contentSecurityPolicy: contentSecurityPolicy,
            .xFrameOptions: "DENY",
            .xContentTypeOptions: "nosniff",
            .referrerPolicy: "same-origin",
        ]
    }

    /// A page: HTML, never cached (it shows who is signed in), plus the security headers.
    static var page: HTTPFields {
        var fields = security
        fields[.contentType] = "text/html; charset=utf-8"
        fields[.cacheControl] = "no-store"
        return fields
    }
}

extension HTTPField.Name {
    // Valid header names, so the initialisers cannot fail.
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let serviceWorkerAllowed = HTTPField.Name("Service-Worker-Allowed")!
}
