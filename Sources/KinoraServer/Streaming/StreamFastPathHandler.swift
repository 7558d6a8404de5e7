import Foundation
import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// The place of ``StreamFastPath`` in a connection's pipeline: after Hummingbird's connection
/// state handler (which then sees these requests and answers as its own, so idle timeouts,
/// `Connection: close` and graceful shutdown treat them like any other) and before the
/// channel's hand-over to the router's task.
///
/// HTTP/1.1 answers must leave in request order: a request is answered here only while no
/// earlier one on the connection is still with the router; after one that was passed on,
/// the next waits its turn with the router too, until that answer's end has been written.
final class StreamFastPathHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let fastPath: StreamFastPath
    /// Requests passed on to the router whose answer has not ended yet.
    private var withRouter = 0
    /// True from a head answered here to its request's end: its parts go no further.
    private var dropping = false
    /// After an answer here to a request that said `Connection: close`: the output is shut
    /// (once written), and anything the client sends after it is ignored.
    private var closing = false

    init(_ fastPath: StreamFastPath) {
        self.fastPath = fastPath
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch part {
        case .head(let request):
            if closing {
                dropping = true
                return
            }
            // Only while the socket keeps up: a client that pipelines requests faster than it
            // reads answers waits for the router, whose writes wait for it, instead of making
            // this handler queue an open file per request.
            if withRouter == 0, context.channel.isWritable, let reply = fastPath.reply(to: request, peer: context.channel.remoteAddress?.ipAddress) {
                dropping = true
                send(reply, context: context)
                // Hummingbird ends such a connection after its answer; so must this path,
                // or a client reading to the end of the stream waits for ever.
                if Self.asksToClose(request) {
                    closing = true
                    context.close(mode: .output, promise: nil)
                }
                return
            }
            withRouter += 1
            context.fireChannelRead(data)
        case .body, .end:
            guard dropping else {
                context.fireChannelRead(data)
                return
            }
            if case .end = part { dropping = false }
        }
    }

    static func asksToClose(_ request: HTTPRequest) -> Bool {
        request.headerFields[values: .connection].contains { value in
            value.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "close" }
        }
    }

    private func send(_ reply: StreamFastPath.Reply, context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(reply.head)), promise: nil)
        switch reply.body {
        case .bytes(let bytes):
            context.write(wrapOutboundOut(.body(bytes)), promise: nil)
        case .file(let handle, let size):
            // As ``FileBody`` does: the head has gone down the pipeline already, the file goes
            // from the HTTP/1 encoder's place straight to the socket (a Content-Length body
            // needs no framing), and the end, which adds no bytes, after it.
            let region = FileRegion(fileHandle: handle, readerIndex: 0, endIndex: Int(size))
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.whenComplete { _ in try? handle.close() }
            if let encoder = try? context.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self) {
                encoder.write(NIOAny(IOData.fileRegion(region)), promise: written)
            } else {
                // Not reached with Hummingbird's HTTP/1 pipeline; closing beats a short body.
                written.succeed()
                context.close(promise: nil)
                return
            }
        case .none:
            break
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), withRouter > 0 { withRouter -= 1 }
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension StreamFastPathHandler: Sendable {}

extension ChannelPipeline.SynchronousOperations {
    /// Puts ``StreamFastPathHandler`` right after Hummingbird's connection state handler.
    func addStreamFastPath(_ fastPath: StreamFastPath) throws {
        let state = try handler(type: HTTPConnectionStateHandler.self)
        try addHandler(StreamFastPathHandler(fastPath), position: .after(state))
    }
}
