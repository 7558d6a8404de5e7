import Foundation

/// Attempts counted per key in a sliding window, in memory: after `limit` within `window`,
/// further attempts are refused until the oldest leaves the window. Sign-ups per address and
/// bad reset tokens per address use it; passwords go through ``LoginThrottle``.
public actor AttemptWindow {
    public let limit: Int
    public let window: TimeInterval
    private var attempts: [String: [Date]] = [:]

    public init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// Seconds to wait when any of `keys` is over the limit; nil when the attempt may go on.
    public func retryAfter(_ keys: [String], now: Date = Date()) -> Int? {
        var wait: TimeInterval = 0
        for key in keys {
            let recent = prune(key, now: now)
            if recent.count >= limit, let oldest = recent.first {
                wait = max(wait, oldest.addingTimeInterval(window).timeIntervalSince(now))
            }
        }
        return wait > 0 ? max(1, Int(wait.rounded(.up))) : nil
    }

    /// Checks and counts the attempt in one step, so concurrent requests cannot all pass the
    /// check before any of them is counted. Nil when it may go on, else seconds to wait.
    public func reserve(_ keys: [String], now: Date = Date()) -> Int? {
        if let wait = retryAfter(keys, now: now) { return wait }
        record(keys, now: now)
        return nil
    }

    public func record(_ keys: [String], now: Date = Date()) {
        for key in keys { attempts[key, default: []].append(now) }
        // Bound memory: forget keys whose attempts are all old.
        if attempts.count > 10_000 {
            attempts = attempts.filter { $0.value.last.map { now.timeIntervalSince($0) < window } ?? false }
        }
    }

    private func prune(_ key: String, now: Date) -> [Date] {
        guard let list = attempts[key] else { return [] }
        let recent = list.filter { now.timeIntervalSince($0) < window }
        attempts[key] = recent.isEmpty ? nil : recent
        return recent
    }
}
