import HummingbirdCore
import KinoraConfiguration
import KinoraHost
import Logging
import NIOCore

/// Hummingbird's HTTP/1 channel with the daemon's connection limits: a cap on open
/// connections per client address, a deadline for the first request head, and an idle
/// timeout between requests. Hummingbird's default server has none of these, so 1,100
/// half-sent requests from one client held every connection for as long as it liked.
struct GuardedHTTP1Channel: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        let http: HTTP1Channel.Value
        /// False when the client's address was over the cap: the connection is closed unread.
        let admitted: Bool
        var channel: any Channel { http.channel }
    }

    let http: HTTP1Channel
    let connections: ConnectionCounter
    /// Hot manifests answered before the router (nil: every request goes to the router).
    let fastPath: StreamFastPath?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let address = channel.remoteAddress?.ipAddress
        var admitted = true
        if let address {
            admitted = connections.open(address)
            if admitted {
                let connections = self.connections
                channel.closeFuture.whenComplete { _ in connections.close(address) }
            }
        }
        let fastPath = self.fastPath
        return http.setup(channel: channel, logger: logger).flatMapThrowing { value in
            if let fastPath { try channel.pipeline.syncOperations.addStreamFastPath(fastPath) }
            return Value(http: value, admitted: admitted)
        }
    }

    func handle(value: Value, logger: Logger) async {
        guard value.admitted else {
            // Closed without a byte read or written: the client sees the connection end.
            try? await value.http.executeThenClose { _, _ in }
            return
        }
        await http.handle(value: value.http, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with the `[server]` connection limits of `config`, and `fastPath` answering hot
    /// manifests before the router.
    static func kinora(_ config: KinoraConfig, logger: Logger, fastPath: StreamFastPath? = nil) -> HTTPServerBuilder {
        let connections = ConnectionCounter(limit: config.maxConnectionsPerAddress, exempt: Set(config.trustedProxies), logger: logger)
        let headerTimeout = TimeAmount.milliseconds(Int64(config.headerTimeoutSeconds * 1000))
        let configuration = HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestHeadTimeoutHandler(timeout: headerTimeout)],
            idleTimeout: .milliseconds(Int64(config.idleTimeoutSeconds * 1000)))
        return HTTPServerBuilder { responder in
            GuardedHTTP1Channel(
                http: HTTP1Channel(responder: responder, configuration: configuration), connections: connections, fastPath: fastPath)
        }
    }
}
