import HTTPTypes
import KinoraCore
import Logging
import Metrics
import NIOCore

/// Answers the hottest requests of `/streams/` on the connection's event loop, before they
/// reach Hummingbird's router (``StreamFastPathHandler``): anonymous, whole GETs and HEADs of a
/// playlist or MPD already in the stream cache, and of media segments in local files.
///
/// Why: such an answer costs the handler a few microseconds, but the router's way to it (a
/// task per connection, the request and the response handed between the event loop and the
/// concurrency pool, three middlewares) cost about 110 µs of CPU per request against nginx's
/// 16, and capped the daemon at a fifth to a half of nginx's playlist rate. Players fetch a
/// playlist every few seconds and a segment every few seconds per viewer: these are the
/// requests an audience multiplies.
///
/// It answers what the router would, and only when it can be sure of it: the same headers
/// (``StreamRoutes/earlyAnswer(videoID:path:viewer:head:acceptEncoding:ifNoneMatch:)`` builds
/// them as ``StreamRoutes/serve(_:_:)`` does), a request id, the access line and the metrics
/// (``EdgeMiddleware/account(method:path:status:client:started:logger:)``), and a token from
/// the same rate limiter. Anything else — credentials (the viewer must be identified), ranges,
/// a query, a body, a cache miss, an answer that would be an error, a client over its rate —
/// goes on to the router unchanged.
final class StreamFastPath: Sendable {
    let routes: StreamRoutes
    let limiter: RateLimiter?
    let trustedProxies: Set<String>
    let logger: Logger
    /// `kinora_stream_early_answers_total`: how many requests this path answered.
    private let answered = Counter(label: "kinora_stream_early_answers_total")

    init(routes: StreamRoutes, limiter: RateLimiter?, trustedProxies: Set<String>, logger: Logger) {
        self.routes = routes
        self.limiter = limiter
        self.trustedProxies = trustedProxies
        self.logger = logger
    }

    struct Reply {
        let head: HTTPResponse
        let body: EarlyAnswer.Body
    }

    static let prefix = "/streams/"

    /// The whole answer to `request` from `peer`, or nil when the router must answer it.
    func reply(to request: HTTPRequest, peer: String?) -> Reply? {
        let started = ContinuousClock.now
        guard request.method == .get || request.method == .head, let target = request.path, target.hasPrefix(Self.prefix),
            !target.utf8.contains(UInt8(ascii: "?"))
        else { return nil }
        let fields = request.headerFields
        guard fields[.authorization] == nil, fields[APIKeyAuthenticator.apiKeyHeader] == nil, fields[.range] == nil,
            fields[.contentLength] == nil, fields[.transferEncoding] == nil,
            !(fields[.cookie]?.contains(Sessions.cookieName + "=") ?? false)
        else { return nil }
        // `/streams/{video}/` and one to three path components, as the router's pattern.
        let components = target.dropFirst(Self.prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        guard components.count >= 2, let path = StreamPath(Array(components.dropFirst())),
            var answer = routes.earlyAnswer(
                videoID: components[0], path: path, viewer: .anonymous, head: request.method == .head,
                acceptEncoding: fields[.acceptEncoding], ifNoneMatch: fields[.ifNoneMatch])
        else { return nil }
        let client = EdgeMiddleware.clientAddress(peer: peer, forwardedFor: fields[.forwardedFor], trustedProxies: trustedProxies)
        // Taken after the answer is known, so a request the router ends up answering takes
        // one token, not two; a refused one goes on, and the router says 429 with its problem.
        if let limiter, limiter.take(client, .stream) != nil {
            if case .file(let handle, _) = answer.body { try? handle.close() }
            return nil
        }
        let requestID = EdgeMiddleware.requestID(presented: fields[.requestID])
        // What Hummingbird's responder and the edge middleware add to the router's answers.
        answer.headers[.requestID] = requestID
        answer.headers[.date] = HTTPDate.now()
        answer.headers[.server] = "kinora"
        var logger = self.logger
        logger[metadataKey: "request.id"] = .string(requestID)
        EdgeMiddleware.account(
            method: request.method, path: target, status: answer.status.code, client: client, started: started, logger: logger)
        answered.increment()
        return Reply(head: HTTPResponse(status: answer.status, headerFields: answer.headers), body: answer.body)
    }
}
