import NIOCore

/// Closes a connection that has not sent a complete request head within `timeout` of
/// opening (a "slowloris" client trickling header bytes to hold connections for ever).
/// Between requests on a kept-alive connection, Hummingbird's idle timeout applies instead.
///
/// It sits after Hummingbird's HTTP decoder, whose first message on a connection is always
/// the request head, so the message is passed on without being looked at.
final class RequestHeadTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Any
    typealias InboundOut = Any

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?
    private var headSeen = false

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !headSeen {
            headSeen = true
            timer?.cancel()
            timer = nil
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard timer == nil, !headSeen else { return }
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: timeout) {
            channel.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension RequestHeadTimeoutHandler: Sendable {}
