import Foundation
import KinoraConfiguration
import NIOConcurrencyHelpers

/// Token buckets keyed by client and route class. A bucket holds up to `burst` tokens and
/// refills at `perSecond`; each request takes one. Idle buckets are full buckets, so they are
/// dropped when the table grows: memory stays bounded by the clients active in the last burst.
final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updated: Double
    }

    private let limits: [RateLimitConfig.RateClass: RateLimitConfig.RateLimit]
    private let buckets = NIOLockedValueBox([String: Bucket]())
    static let sweepThreshold = 50_000

    /// nil when `[rate_limit] enabled = false`.
    init?(_ config: RateLimitConfig) {
        guard config.enabled else { return nil }
        self.limits = config.limits
    }

    /// Takes a token for `client` in `rateClass`; nil when allowed, else seconds to wait.
    func take(_ client: String, _ rateClass: RateLimitConfig.RateClass, now: Double = RateLimiter.now()) -> Int? {
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
    private static func sweep(_ table: inout [String: Bucket], now: Double, limits: [RateLimitConfig.RateClass: RateLimitConfig.RateLimit]) {
        table = table.filter { key, bucket in
            guard let name = key.split(separator: "|", maxSplits: 1).first,
                let rateClass = RateLimitConfig.RateClass(rawValue: String(name)), let limit = limits[rateClass]
            else { return false }
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
