import Foundation
import KinoraConfiguration
import KinoraHost
import Logging

/// What discovery says about a provider (the fields we use).
struct ProviderMetadata: Sendable {
    var issuer: String
    var authorizationEndpoint: String
    var tokenEndpoint: String
    var jwksURI: String
    var tokenAuthMethods: [String]?
}

/// One configured provider: its discovery document and keys, fetched on first use and kept;
/// a failure on the way drops what was kept, so the next login fetches again.
actor OIDCProvider {
    let config: OIDCProviderConfig
    private var metadata: ProviderMetadata?
    private var keys: JSONWebKeySet?

    init(config: OIDCProviderConfig) { self.config = config }

    func discover() async throws(OIDCError) -> ProviderMetadata {
        if let metadata { return metadata }
        let url = config.issuer + "/.well-known/openid-configuration"
        let document = try await fetchJSON(url, what: "the discovery document")
        guard let issuer = document["issuer"]?.stringValue, let authorization = document["authorization_endpoint"]?.stringValue,
            let token = document["token_endpoint"]?.stringValue, let jwks = document["jwks_uri"]?.stringValue
        else {
            throw .providerUnavailable("the discovery document of \(config.name) lacks issuer, authorization_endpoint, token_endpoint or jwks_uri")
        }
        // The document must be the issuer's own (OpenID Connect Discovery §4.3).
        guard issuer == config.issuer || issuer == config.issuer + "/" else {
            throw .providerUnavailable("the discovery document of \(config.name) names issuer \(OIDCError.sanitized(issuer)), not \(config.issuer)")
        }
        for endpoint in [authorization, token, jwks] where !BackChannelPolicy.allows(endpoint) {
            throw .providerUnavailable("the provider \(config.name) names an endpoint that is neither https nor loopback http")
        }
        let found = ProviderMetadata(
            issuer: issuer, authorizationEndpoint: authorization, tokenEndpoint: token, jwksURI: jwks,
            tokenAuthMethods: document["token_endpoint_auth_methods_supported"]?.arrayValue?.compactMap(\.stringValue))
        metadata = found
        return found
    }

    /// Trades the authorization code for tokens; answers the ID token.
    func exchange(code: String, verifier: String, redirectURI: String, logger: Logger) async throws(OIDCError) -> String {
        let metadata = try await discover()
        var form = ["grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI, "code_verifier": verifier]
        var headers = ["Content-Type: application/x-www-form-urlencoded", "Accept: application/json"]
        if let secret = config.clientSecret, authMethod(metadata) == .clientSecretBasic {
            // RFC 6749 §2.3.1: each part form-encoded before the base64.
            let pair = Self.formEncode(config.clientID) + ":" + Self.formEncode(secret)
            headers.append("Authorization: Basic " + Data(pair.utf8).base64EncodedString())
        } else {
            form["client_id"] = config.clientID
            if let secret = config.clientSecret { form["client_secret"] = secret }
        }
        let body = form.sorted { $0.key < $1.key }.map { Self.formEncode($0.key) + "=" + Self.formEncode($0.value) }.joined(separator: "&")
        let reply: BackChannelReply
        do {
            reply = try await BackChannel.post(metadata.tokenEndpoint, headers: headers, body: Array(body.utf8))
        } catch {
            self.metadata = nil
            throw .providerUnavailable("the token endpoint of \(config.name) did not answer: \(String(describing: error))")
        }
        let json = reply.json
        guard reply.status == 200 else {
            // The provider's error code only: descriptions may echo what was sent.
            let code = json?["error"]?.stringValue.map { OIDCError.sanitized($0, limit: 64) } ?? "HTTP \(reply.status)"
            logger.warning("oidc: token endpoint refused the code", metadata: ["provider": .string(config.name), "error": .string(code)])
            throw .exchangeFailed("the token endpoint of \(config.name) refused the code: \(code)")
        }
        guard let idToken = json?["id_token"]?.stringValue else {
            throw .exchangeFailed("the token endpoint of \(config.name) answered no id_token (is \"openid\" in scopes?)")
        }
        return idToken
    }

    /// The signature against the provider's keys; an unknown `kid` (a rotated key) fetches the
    /// keys once more.
    func verifySignature(_ token: IDToken) async throws(OIDCError) {
        guard let algorithm = token.algorithm, JSONWebKey.algorithms.contains(algorithm) else {
            throw .tokenInvalid("the ID token's algorithm \(OIDCError.sanitized(token.algorithm ?? "(none)", limit: 16)) is not accepted")
        }
        var refreshed = false
        if keys == nil {
            keys = try await fetchKeys()
            refreshed = true
        }
        while true {
            let candidates = keys?.candidates(kid: token.kid, algorithm: algorithm) ?? []
            if candidates.contains(where: { $0.isValid(signature: token.signature, for: token.signingInput, algorithm: algorithm) }) { return }
            // A known kid with a bad signature is a bad token, not a stale key set.
            let stale = candidates.isEmpty || token.kid == nil
            guard stale, !refreshed else { break }
            keys = try await fetchKeys()
            refreshed = true
        }
        throw .tokenInvalid(
            token.kid != nil && keys?.candidates(kid: token.kid, algorithm: algorithm).isEmpty == true
                ? "the ID token is signed with a key the provider does not publish"
                : "the ID token's signature does not verify")
    }

    private func fetchKeys() async throws(OIDCError) -> JSONWebKeySet {
        let metadata = try await discover()
        let document = try await fetchJSON(metadata.jwksURI, what: "the key set")
        guard let set = JSONWebKeySet(document) else {
            self.metadata = nil
            throw .providerUnavailable("the key set of \(config.name) is not a JWKS")
        }
        return set
    }

    private func fetchJSON(_ url: String, what: String) async throws(OIDCError) -> JSONValue {
        do {
            let reply = try await BackChannel.get(url)
            guard reply.status == 200, let json = reply.json, json.objectValue != nil else {
                throw BackChannelError(description: "HTTP \(reply.status)" + (reply.status == 200 ? ", not a JSON object" : ""))
            }
            return json
        } catch {
            metadata = nil
            throw .providerUnavailable("\(what) of \(config.name) could not be fetched: \(String(describing: error))")
        }
    }

    private func authMethod(_ metadata: ProviderMetadata) -> OIDCProviderConfig.TokenAuthMethod {
        if let chosen = config.tokenAuthMethod { return chosen }
        // Basic is the default when a provider lists nothing (OpenID Connect Discovery §3).
        guard let methods = metadata.tokenAuthMethods, !methods.contains("client_secret_basic") else { return .clientSecretBasic }
        return methods.contains("client_secret_post") ? .clientSecretPost : .clientSecretBasic
    }

    /// application/x-www-form-urlencoded: unreserved characters stay, the rest is %XX.
    static func formEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: formSafe) ?? ""
    }

    static let formSafe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
}
