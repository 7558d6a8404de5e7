import Foundation

/// One OpenID Connect provider of single sign-on: a `[oidc.NAME]` table of kinora.toml.
/// The client secret is never printed: `description` masks it, so a logged config is safe.
public struct OIDCProviderConfig: Sendable, Equatable, CustomStringConvertible {
    public enum TokenAuthMethod: String, Sendable { case clientSecretBasic = "client_secret_basic", clientSecretPost = "client_secret_post" }

    /// The table's name: the `{provider}` of the routes.
    public var name: String
    /// Without a trailing slash; discovery is `<issuer>/.well-known/openid-configuration`.
    public var issuer: String
    public var clientID: String
    /// nil for a public client (PKCE only).
    public var clientSecret: String?
    /// nil: chosen from the provider's discovery document (basic when it allows it).
    public var tokenAuthMethod: TokenAuthMethod?
    public var scopes = ["openid", "email", "profile"]
    public var displayName: String
    /// Sign in to an existing account whose verified email equals a verified email claim.
    public var linkByEmail = true
    /// Make an account for a subject that matches none.
    public var createAccounts = true
    /// The role of accounts made that way.
    public var role = "viewer"

    public var description: String {
        "oidc.\(name) (issuer \(issuer), client \(clientID), secret \(clientSecret == nil ? "none" : "<redacted>"))"
    }

    /// The schema of one `[oidc.NAME]` table, spliced into kinora.toml's schema.
    static let schema = #"""
        {"type":"object","additionalProperties":false,"required":["issuer","client_id"],"properties":{
          "issuer":{"type":"string","pattern":"^https?://[^/?#]+(/[^?#]*)?$"},
          "client_id":{"type":"string","minLength":1},
          "client_secret":{"type":"string","minLength":1},
          "client_secret_file":{"type":"string","minLength":1},
          "token_auth_method":{"enum":["client_secret_basic","client_secret_post"]},
          "scopes":{"type":"array","items":{"type":"string","pattern":"^[!#-\\[\\]-~]+$"}},
          "display_name":{"type":"string","minLength":1,"maxLength":100},
          "link_by_email":{"type":"boolean"},
          "create_accounts":{"type":"boolean"},
          "role":{"enum":["admin","moderator","creator","viewer"]}}}
        """#

    /// The `[oidc]` tables of a validated document, sorted by name. `file` locates relative
    /// `client_secret_file` paths (beside the config file) and names the file in errors.
    static func parse(_ oidc: JSONValue?, file: String) -> (providers: [OIDCProviderConfig], errors: [ConfigError]) {
        var providers: [OIDCProviderConfig] = []
        var errors: [ConfigError] = []
        for (name, table) in (oidc?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            let key = "oidc.\(name)"
            func error(_ suffix: String, _ message: String) { errors.append(ConfigError(file: file, key: key + suffix, message)) }
            // The name is a path segment of the routes: keep it plain.
            guard name.range(of: "^[a-z0-9][a-z0-9_-]{0,31}$", options: .regularExpression) != nil else {
                error("", "provider names are 1-32 lower-case letters, digits, '_' or '-'")
                continue
            }
            guard let issuer = table["issuer"]?.stringValue, let clientID = table["client_id"]?.stringValue else { continue }
            var provider = OIDCProviderConfig(name: name, issuer: issuer, clientID: clientID, displayName: table["display_name"]?.stringValue ?? name)
            while provider.issuer.hasSuffix("/") { provider.issuer.removeLast() }
            if !BackChannelPolicy.allows(provider.issuer) {
                error(".issuer", "must be https (plain http only for 127.0.0.1, localhost or ::1)")
            }
            switch (table["client_secret"]?.stringValue, table["client_secret_file"]?.stringValue) {
            case (let secret?, nil): provider.clientSecret = secret
            case (nil, let path?):
                let folder = (file as NSString).deletingLastPathComponent
                let resolved = path.hasPrefix("/") || folder.isEmpty ? path : folder + "/" + path
                if let text = try? String(contentsOfFile: resolved, encoding: .utf8),
                    case let secret = text.trimmingCharacters(in: .whitespacesAndNewlines), !secret.isEmpty
                {
                    provider.clientSecret = secret
                } else {
                    error(".client_secret_file", "\(resolved) cannot be read or is empty")
                }
            case (_?, _?): error("", "give client_secret or client_secret_file, not both")
            case (nil, nil): break
            }
            if let method = table["token_auth_method"]?.stringValue { provider.tokenAuthMethod = TokenAuthMethod(rawValue: method) }
            if let scopes = table["scopes"]?.arrayValue?.compactMap(\.stringValue) {
                if !scopes.contains("openid") { error(".scopes", "must contain \"openid\"") }
                provider.scopes = scopes
            }
            if let link = table["link_by_email"]?.boolValue { provider.linkByEmail = link }
            if let create = table["create_accounts"]?.boolValue { provider.createAccounts = create }
            if let role = table["role"]?.stringValue { provider.role = role }
            providers.append(provider)
        }
        return (providers, errors)
    }
}

/// Where the daemon's own outgoing requests may go: https anywhere, plain http only to the
/// loopback interface (a provider run for tests or on the same machine).
public enum BackChannelPolicy {
    public static func allows(_ url: String) -> Bool {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else { return false }
        if scheme == "https" { return true }
        return scheme == "http" && ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host.lowercased())
    }
}
