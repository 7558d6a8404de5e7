import Hummingbird
import KinoraCore
import NIOCore

/// Per-request state: the peer address (for trusted-proxy handling) and the request id that
/// every log line and error response of the request carries.
public struct KinoraRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The connection, for writes Hummingbird's body writer cannot make (a file by sendfile).
    public let channel: any Channel
    public var requestID = ""
    /// The caller's address (the proxy's `X-Forwarded-For` when the peer is trusted).
    public var clientAddress = ""
    /// Set by the auth middleware once credentials are verified.
    public var principal: Principal?
    /// The scopes of the API key the request authenticated with; nil for other credentials,
    /// which the role alone limits.
    public var apiKeyScopes: Set<APIScope>?
    /// The stored hash of the session cookie the request authenticated with; nil for other
    /// credentials. A password change keeps this session and ends the others.
    public var sessionTokenHash: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        channel = source.channel
    }
}

/// Who is calling: the bootstrap admin token, or an account by its access token.
public enum Principal: Sendable, Equatable {
    case bootstrapAdmin
    case user(id: String, role: Role)

    public var isAdmin: Bool { self == .bootstrapAdmin || role == .admin }

    public var role: Role? {
        if case .user(_, let role) = self { return role }
        return nil
    }

    public var userID: String? {
        if case .user(let id, _) = self { return id }
        return nil
    }
}
