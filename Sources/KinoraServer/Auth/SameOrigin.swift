import Foundation
import HTTPTypes
import Hummingbird

/// Which `Origin` a browser sends when a page of this server makes the request: the request's
/// own `scheme://host[:port]`, or `[server] public_url`'s. Scheme, host and port all count: a
/// page served over plain HTTP (which anyone on the network can rewrite) is not the HTTPS
/// site, and the other way round.
struct SameOrigin: Sendable {
    /// A normalised origin: lower-cased, default port dropped.
    struct Origin: Sendable, Equatable {
        let scheme: String
        let authority: String

        init?(_ text: String) {
            guard let separator = text.range(of: "://") else { return nil }
            let scheme = text[..<separator.lowerBound].lowercased()
            let rest = text[separator.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            self.init(scheme: scheme, authority: String(rest))
        }

        init?(scheme: String, authority: String) {
            guard scheme == "http" || scheme == "https", !authority.isEmpty, !authority.contains("@") else { return nil }
            var authority = authority.lowercased()
            let defaultPort = scheme == "https" ? ":443" : ":80"
            if authority.hasSuffix(defaultPort) { authority.removeLast(defaultPort.count) }
            self.scheme = scheme
            self.authority = authority
        }
    }

    let publicOrigin: Origin?
    let trustedProxies: Set<String>

    init(publicURL: String?, trustedProxies: Set<String>) {
        publicOrigin = publicURL.flatMap(Origin.init)
        self.trustedProxies = trustedProxies
    }

    /// The request's own origin. Its scheme is the public URL's when the request names the
    /// public URL's host, else https only when a trusted proxy says the browser spoke HTTPS.
    func ownOrigin(_ request: Request, _ context: KinoraRequestContext) -> Origin? {
        guard let authority = request.head.authority else { return nil }
        if let publicOrigin, Origin(scheme: publicOrigin.scheme, authority: authority) == publicOrigin { return publicOrigin }
        return Origin(scheme: viaHTTPSProxy(request, context) ? "https" : "http", authority: authority)
    }

    func viaHTTPSProxy(_ request: Request, _ context: KinoraRequestContext) -> Bool {
        guard let peer = context.remoteAddress?.ipAddress, trustedProxies.contains(peer) else { return false }
        return request.headers[.forwardedProto]?.split(separator: ",").first?.trimmingCharacters(in: .whitespaces).lowercased() == "https"
    }

    /// True when `origin` (an `Origin` header's value) is this server's.
    func accepts(_ origin: String, _ request: Request, _ context: KinoraRequestContext) -> Bool {
        guard let presented = Origin(origin) else { return false }
        return presented == publicOrigin || presented == ownOrigin(request, context)
    }
}
