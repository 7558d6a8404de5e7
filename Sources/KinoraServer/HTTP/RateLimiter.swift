import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraHost
import NIOConcurrencyHelpers

/// Token buckets keyed by client and route class. A bucket holds up to `burst` tokens and
/// refills at `perSecond`; each request takes one. Idle buckets are full buckets, so they are
/// dropped when the table grows: memory stays bounded by the clients active in the last burst.
final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updated: Double
    }

    private let limits: [KinoraConfig.RateClass: KinoraConfig.RateLimit]
    private let buckets = NIOLockedValueBox([String: Bucket]())
    static let sweepThreshold = 50_000

    init(limits: [KinoraConfig.RateClass: KinoraConfig.RateLimit]) {
        self.limits = limits
    }

    /// Takes a token for `client` in `rateClass`; nil when allowed, else seconds to wait.
    func take(_ client: String, _ rateClass: KinoraConfig.RateClass, now: Double = RateLimiter.now()) -> Int? {
        guard let limit = limits[rateClass] else { return nil }
        let key = rateClass.rawValue + "|" + client
        return buckets.withLockedValue { table -> Int? in
            var bucket = table[key] ?? Bucket(tokens: limit.burst, updated: now)
            bucket.tokens = min(limit.burst, bucket.tokens + max(0, now - bucket.updated) * limit.perSecond)
            bucket.updated = now
            if table.count >= Self.sweepThreshold { Self.sweep(&table, now: now, limits: limits) }
            guard bucket.tokens >= 1 else {
                table[key] = bucket
                return Int(((1 - bucket.tokens) / limit.perSecond).rounded(.up))
            }
            bucket.tokens -= 1
            table[key] = bucket
            return nil
        }
    }

    /// Drops buckets that would be full by now: forgetting them changes nothing.
    private static func sweep(_ table: inout [String: Bucket], now: Double, limits: [KinoraConfig.RateClass: KinoraConfig.RateLimit]) {
        table = table.filter { key, bucket in
            guard let name = key.split(separator: "|", maxSplits: 1).first,
                  let rateClass = KinoraConfig.RateClass(rawValue: String(name)), let limit = limits[rateClass] else { return false }
            return bucket.tokens + (now - bucket.updated) * limit.perSecond < limit.burst
        }
    }

    var count: Int { buckets.withLockedValue { $0.count } }

    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}

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
            throw Problem(.contentTooLarge, type: "payload-too-large", title: "Request body too large",
                          detail: "request bodies are limited to \(maxBodyBytes) bytes ([server] max_body_bytes)")
        }
        if let limiter {
            let client = rateClass == .auth ? context.clientAddress : (context.principal?.userID.map { "user:" + $0 } ?? context.clientAddress)
            if let wait = limiter.take(client, rateClass) {
                var problem = Problem(.tooManyRequests, type: "rate-limited", title: "Too many requests",
                                      detail: "too many \(rateClass.rawValue) requests from this client; retry in \(wait) s")
                problem.headers[.retryAfter] = String(wait)
                throw problem
            }
        }
        return try await next(request, context)
    }

    /// One table for every route: the path prefix and the method decide the class.
    static func classify(method: HTTPRequest.Method, path: String) -> KinoraConfig.RateClass {
        if path.hasPrefix("/streams/") { return .stream }
        let safe = method == .get || method == .head || method == .options
        if safe { return .read }
        if path.hasPrefix("/api/v1/auth/") { return .auth }
        if path.hasPrefix("/api/v1/uploads") || (method == .post && path == "/api/v1/videos") { return .upload }
        return .write
    }
}
