import Hummingbird
import NIOCore

/// Per-request state: the peer address (for trusted-proxy handling) and the request id that
/// every log line and error response of the request carries.
public struct KinoraRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public var requestID = ""
    /// Set by the auth middleware once credentials are verified.
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// Who is calling. Accounts arrive later; for now only the bootstrap admin token exists.
public enum Principal: Sendable, Equatable {
    case bootstrapAdmin

    public var isAdmin: Bool { self == .bootstrapAdmin }
}
