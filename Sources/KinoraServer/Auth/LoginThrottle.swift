import Foundation

/// Failed logins counted per account and per client address, in memory: after `limit`
/// failures within `window`, further attempts are refused (429) until the oldest failure
/// leaves the window. A successful login clears the account's count.
actor LoginThrottle {
    let limit: Int
    let window: TimeInterval
    private var failures: [String: [Date]] = [:]

    init(limit: Int = 5, window: TimeInterval = 15 * 60) {
        self.limit = limit
        self.window = window
    }

    /// Seconds to wait when any of `keys` is over the limit; nil when the attempt may go on.
    func retryAfter(_ keys: [String], now: Date = Date()) -> Int? {
        var wait: TimeInterval = 0
        for key in keys {
            let recent = prune(key, now: now)
            if recent.count >= limit, let oldest = recent.first {
                wait = max(wait, oldest.addingTimeInterval(window).timeIntervalSince(now))
            }
        }
        return wait > 0 ? max(1, Int(wait.rounded(.up))) : nil
    }

    func recordFailure(_ keys: [String], now: Date = Date()) {
        for key in keys { failures[key, default: []].append(now) }
        // Bound memory: forget keys whose failures are all old.
        if failures.count > 10_000 {
            failures = failures.filter { $0.value.last.map { now.timeIntervalSince($0) < window } ?? false }
        }
    }

    func clear(_ key: String) { failures[key] = nil }

    private func prune(_ key: String, now: Date) -> [Date] {
        guard let list = failures[key] else { return [] }
        let recent = list.filter { now.timeIntervalSince($0) < window }
        failures[key] = recent.isEmpty ? nil : recent
        return recent
    }
}
