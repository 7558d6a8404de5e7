import Hummingbird
import KinoraConfiguration
import KinoraCore

/// The HTTP edge's limits: request bodies over `[server] max_body_bytes` (uploads have their
/// own, larger limit) and requests over the client's rate, both refused before a handler runs.
/// Runs after authentication, so a signed-in client is one client wherever it connects from;
/// credential endpoints always count per address, as that is what guessing passwords varies.
struct EdgeLimitsMiddleware: RouterMiddleware {
    typealias Context = KinoraRequestContext
    let limiter: RateLimiter?
    let maxBodyBytes: Int64

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let rateClass = Self.classify(method: request.method, path: request.uri.path)
        if rateClass != .upload, let length = request.headers[.contentLength].flatMap(Int64.init), length > maxBodyBytes {
            throw Problem(.payloadTooLarge, detail: "request bodies are limited to \(maxBodyBytes) bytes ([server] max_body_bytes)")
        }
        if let limiter {
            let client = rateClass == .auth ? context.clientAddress : (context.principal?.userID.map { "user:" + $0 } ?? context.clientAddress)
            if let wait = limiter.take(client, rateClass) {
                var problem = Problem(.rateLimited, detail: "too many \(rateClass.rawValue) requests from this client; retry in \(wait) s")
                problem.headers[.retryAfter] = String(wait)
                throw problem
            }
        }
        return try await next(request, context)
    }

    /// One table for every route: the path prefix and the method decide the class.
    static func classify(method: HTTPRequest.Method, path: String) -> RateLimitConfig.RateClass {
        if path.hasPrefix("/streams/") { return .stream }
        let safe = method == .get || method == .head || method == .options
        if safe { return .read }
        if path.hasPrefix("/api/v1/auth/") { return .auth }
        if path.hasPrefix("/api/v1/uploads") || (method == .post && path == "/api/v1/videos") { return .upload }
        return .write
    }
}
