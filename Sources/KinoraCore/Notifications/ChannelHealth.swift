import Foundation

/// How each notification channel has fared lately on this node: deliveries that failed in a
/// row and the last reason. A provider that is down or refuses the credentials shows in
/// `/readyz` (to admins) and the admin console instead of only in the outbox's rows.
public final class ChannelHealth: @unchecked Sendable {
    public struct State: Sendable, Equatable {
        public var failuresInARow = 0
        public var lastReason: String?
        public var lastDelivered: Date?
    }

    /// Failures in a row before a channel counts as failing.
    public static let threshold = 3

    private let lock = NSLock()
    private var states: [String: State] = [:]

    public init() {}

    public func delivered(_ channel: String, at date: Date = Date()) {
        lock.withLock {
            states[channel, default: State()].failuresInARow = 0
            states[channel, default: State()].lastDelivered = date
        }
    }

    /// A failure of the channel itself (a retryable outcome); a permanent refusal of one
    /// address says nothing about the channel and is not counted.
    public func failed(_ channel: String, reason: String) {
        lock.withLock {
            states[channel, default: State()].failuresInARow += 1
            states[channel, default: State()].lastReason = reason
        }
    }

    /// Channels failing now, by name, with why: "mail: 5 deliveries in a row failed (last: …)".
    public var problems: [String] {
        lock.withLock {
            states.filter { $0.value.failuresInARow >= Self.threshold }.sorted { $0.key < $1.key }.map {
                "notification channel \($0.key): \($0.value.failuresInARow) deliveries in a row failed (last: \($0.value.lastReason ?? "unknown"))"
            }
        }
    }
}
