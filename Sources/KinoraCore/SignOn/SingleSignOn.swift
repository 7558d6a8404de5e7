import Crypto
import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraStore
import Logging

/// Single sign-on with OpenID Connect: authorization code flow with PKCE (S256), `state` and
/// `nonce` kept server-side (10 minutes, single use) and bound to the starting browser by a
/// binding secret the edge keeps in a cookie, ID tokens checked against the provider's JWKS.
public struct SingleSignOn: Sendable {
    /// A started login waits this long for its callback.
    public static let loginLifetime: TimeInterval = 600

    public let database: KinoraDatabase
    let providers: [String: OIDCProvider]
    /// Usernames an SSO identity may not take as they stand (they become channel handles).
    let reservedHandles: Set<String>

    public init(database: KinoraDatabase, configs: [OIDCProviderConfig], reservedHandles: Set<String> = []) {
        self.database = database
        self.reservedHandles = reservedHandles.union(Accounts.reservedUsernames)
        providers = Dictionary(uniqueKeysWithValues: configs.map { ($0.name, OIDCProvider(config: $0)) })
    }

    /// The configured providers by name: `(name, display name)`.
    public var providerList: [(name: String, displayName: String)] {
        providers.sorted { $0.key < $1.key }.map { ($0.key, $0.value.config.displayName) }
    }

    /// Refuses an unknown provider before anything else is looked at.
    public func checkProvider(_ name: String) throws(OIDCError) {
        _ = try provider(name)
    }

    private func provider(_ name: String) throws(OIDCError) -> OIDCProvider {
        guard let provider = providers[name] else { throw .unknownProvider(OIDCError.sanitized(name, limit: 32)) }
        return provider
    }

    /// Where to send the browser, and the binding secret its cookie must hold at the callback.
    public struct Authorization: Sendable {
        public let location: String
        public let binding: String
        public let redirectURI: String
    }

    /// Records a new login and answers the provider's authorization URL. `returnTo` is already
    /// a path of this site; `callbackBase` (this site's base URL) is asked for only once the
    /// provider is reachable, so an unreachable provider is reported first; `binding` is the
    /// browser's earlier one, kept so two tabs do not undo each other.
    public func start(
        provider name: String, returnTo: String, mode: String, callbackBase: () throws(OIDCError) -> String,
        binding: String?
    ) async throws(OIDCError) -> Authorization {
        let provider = try provider(name)
        guard mode == "redirect" || mode == "json" else { throw .badRequest("mode is \"redirect\" (the default) or \"json\"") }
        let metadata = try await provider.discover()
        let redirectURI = try callbackBase() + "/api/v1/auth/oidc/\(name)/callback"
        let state = RandomID.make(bytes: 32), nonce = RandomID.make(bytes: 32), verifier = RandomID.make(bytes: 32)
        let binding = binding.flatMap { $0.count == 52 ? $0 : nil } ?? RandomID.make(bytes: 32)
        do {
            try database.oidc.addLogin(
                OIDCLoginRecord(
                    stateHash: Secrets.hash(state), provider: name, nonce: nonce, codeVerifier: verifier, redirectURI: redirectURI,
                    returnTo: returnTo, mode: mode, bindingHash: Secrets.hash(binding), expiresAt: Date().addingTimeInterval(Self.loginLifetime)))
        } catch {
            throw .providerUnavailable("the login could not be recorded")
        }
        let parameters = [
            ("response_type", "code"), ("client_id", provider.config.clientID), ("redirect_uri", redirectURI),
            ("scope", provider.config.scopes.joined(separator: " ")), ("state", state), ("nonce", nonce),
            ("code_challenge", JWTSigner.base64URL(Array(SHA256.hash(data: Array(verifier.utf8))))), ("code_challenge_method", "S256"),
        ]
        let query = parameters.map { OIDCProvider.formEncode($0.0) + "=" + OIDCProvider.formEncode($0.1) }.joined(separator: "&")
        let location = metadata.authorizationEndpoint + (metadata.authorizationEndpoint.contains("?") ? "&" : "?") + query
        return Authorization(location: location, binding: binding, redirectURI: redirectURI)
    }

    /// A finished sign-on: the account, how it was found, and how the login asked to be answered.
    public struct SignedOn: Sendable {
        public let user: UserRecord
        /// `linked`, `linked-by-email` or `created`.
        public let how: String
        /// `json` (tokens in the answer) or `redirect` (a one-time code in a fragment).
        public let mode: String
        public let returnTo: String
    }

    /// The provider's callback: the login is taken first, whatever else the callback says (a
    /// state works once), then checked against the provider and the browser's binding; the
    /// code is traded, the ID token verified and the identity resolved to an account.
    public func finish(
        provider name: String, state: String?, error: String?, errorDescription: String?, code: String?,
        binding: String?, logger: Logger
    ) async throws(OIDCError) -> SignedOn {
        let provider = try provider(name)
        let login: OIDCLoginRecord?
        do {
            login = try state.flatMap { try database.oidc.takeLogin(stateHash: Secrets.hash($0)) }
        } catch {
            throw .providerUnavailable("the login could not be read")
        }
        if let error {
            throw .providerError(code: OIDCError.sanitized(error, limit: 64), description: errorDescription.map { OIDCError.sanitized($0) })
        }
        guard let login, login.provider == name else {
            throw .stateInvalid("the state is missing, unknown, expired (10 minutes) or already used")
        }
        guard let binding, Secrets.hash(binding) == login.bindingHash else {
            throw .stateInvalid("this sign-on was started in another browser (the kinora_oidc cookie set by start is missing or different)")
        }
        guard let code, !code.isEmpty else { throw .badRequest("the callback has no code") }
        let token = try IDToken(try await provider.exchange(code: code, verifier: login.codeVerifier, redirectURI: login.redirectURI, logger: logger))
        try await provider.verifySignature(token)
        let issuer = try await provider.discover().issuer
        let claims = try token.verifyClaims(.init(issuer: issuer, clientID: provider.config.clientID, nonce: login.nonce))
        let (user, how) = try await account(for: claims, provider: provider.config)
        return SignedOn(user: user, how: how, mode: login.mode, returnTo: login.returnTo)
    }
}
