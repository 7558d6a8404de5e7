/// `[rate_limit]`: token buckets per client and route class. A bucket holds up to `burst`
/// tokens and refills at `per_second`; each request takes one.
///
/// ```toml
/// [rate_limit]
/// enabled = true
/// stream = { per_second = 200, burst = 1000 }
/// ```
public struct RateLimitConfig: Sendable, Equatable {
    /// `false` turns every bucket off (benchmarks, or a proxy in front that limits already).
    public var enabled = true
    public var limits: [RateClass: RateLimit] = RateClass.defaults

    public init() {}

    /// Which bucket a request draws from: credential endpoints, uploads, other writes,
    /// API reads, and stream files (players fetch several a second).
    public enum RateClass: String, Sendable, CaseIterable {
        case auth, upload, write, read, stream

        public static let defaults: [RateClass: RateLimit] = [
            .auth: RateLimit(perSecond: 1, burst: 30),
            .upload: RateLimit(perSecond: 20, burst: 100),
            .write: RateLimit(perSecond: 10, burst: 60),
            .read: RateLimit(perSecond: 50, burst: 300),
            .stream: RateLimit(perSecond: 200, burst: 1000),
        ]
    }

    public struct RateLimit: Sendable, Equatable {
        public var perSecond: Double
        public var burst: Double
        public init(perSecond: Double, burst: Double) {
            self.perSecond = perSecond
            self.burst = burst
        }
    }

    /// Applies the `[rate_limit]` table (already checked against the schema).
    mutating func apply(_ table: JSONValue?) {
        guard let table else { return }
        if let enabled = table["enabled"]?.boolValue { self.enabled = enabled }
        for rateClass in RateClass.allCases {
            guard let entry = table[rateClass.rawValue] else { continue }
            var limit = limits[rateClass]!
            if let rate = entry["per_second"]?.doubleValue { limit.perSecond = rate }
            if let burst = entry["burst"]?.doubleValue { limit.burst = burst }
            limits[rateClass] = limit
        }
    }
}
