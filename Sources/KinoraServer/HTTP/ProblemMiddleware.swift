import Foundation
import HTTPTypes
import Hummingbird
import KinoraCore
import KinoraStore
import Logging
import Synchronization

/// Turns every error into problem+json (Hummingbird's own 404s and 405s included), tags the
/// response with the request id, and logs one access line per request.
struct EdgeMiddleware: RouterMiddleware {
    typealias Context = KinoraRequestContext
    let trustedProxies: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.requestID = Self.requestID(presented: request.headers[.requestID])
        context.logger[metadataKey: "request.id"] = .string(context.requestID)
        context.clientAddress = clientAddress(request, context)
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError {
            // Hummingbird's own (no route, wrong method, malformed request): problem+json too.
            let problem = Problem(
                framework: error.status,
                detail: error.status == .notFound ? "no route for \(request.method) \(request.uri.path)" : nil)
            response = try problem.response(from: request, context: context)
        } catch is InvalidCursor {
            response = try Problem(.badCursor, detail: "use the next_cursor of an earlier page", extra: ["parameter": "cursor"]).response(
                from: request, context: context)
        } catch let error as any DomainError {
            response = try Problem(error).response(from: request, context: context)
        } catch let error as HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch {
            context.logger.error("request failed: \(String(describing: error))")
            let problem = Problem(
                .internalError,
                detail: "the error was logged with request id \(context.requestID)")
            response = try problem.response(from: request, context: context)
        }
        response.headers[.requestID] = context.requestID
        Self.account(
            method: request.method, path: request.uri.path, status: response.status.code, client: context.clientAddress,
            started: started, logger: context.logger)
        return response
    }

    /// The metrics and the access line of one answered request: here for the router's
    /// requests, and from ``StreamFastPath`` for those answered before it.
    static func account(method: HTTPRequest.Method, path: String, status: Int, client: String, started: ContinuousClock.Instant, logger: Logger) {
        let elapsed = ContinuousClock.now - started
        HTTPMetrics.record(method: method.rawValue, status: status, elapsed: elapsed)
        logger.info(
            "\(method) \(path) \(status)",
            metadata: [
                "client": .string(client),
                "ms": .string(String(format: "%.2f", Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)),
            ])
    }

    /// The client's own X-Request-Id when it is a sane token, else a new one.
    static func requestID(presented: String?) -> String {
        presented.flatMap { $0.count <= 128 && $0.allSatisfy { $0.isASCII && !$0.isWhitespace } ? $0 : nil } ?? newRequestID()
    }

    func clientAddress(_ request: Request, _ context: Context) -> String {
        Self.clientAddress(peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[.forwardedFor], trustedProxies: trustedProxies)
    }

    /// The peer, or the last X-Forwarded-For hop when the peer is a trusted proxy.
    static func clientAddress(peer: String?, forwardedFor: String?, trustedProxies: Set<String>) -> String {
        let peer = peer ?? "unknown"
        guard trustedProxies.contains(peer), let forwarded = forwardedFor else { return peer }
        return forwarded.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? peer
    }

    /// 16 hex digits, never the same twice in a process: a counter from a random start, mixed
    /// by a bijection (SplitMix64's finaliser) so consecutive ids do not look consecutive.
    /// Asking the system for a random number per request was a getrandom(2) call on each.
    static func newRequestID() -> String {
        var z = requestCounter.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return String(z ^ (z >> 31), radix: 16)
    }

    private static let requestCounter = Atomic<UInt64>(UInt64.random(in: .min ... .max))
}

extension HTTPField.Name {
    // Both literals are valid header names, so the initialiser cannot fail.
    static let requestID = HTTPField.Name("X-Request-Id")!
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    /// Tells nginx not to buffer a Server-Sent Events stream.
    static let accelBuffering = HTTPField.Name("X-Accel-Buffering")!
}
