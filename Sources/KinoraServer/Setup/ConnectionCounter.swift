import Foundation
import Logging
import NIOConcurrencyHelpers

/// Open connections per client address, with a cap: one address holding thousands of
/// half-sent requests must not take every connection (and file descriptor) the daemon has.
/// Addresses in `[server] trusted_proxies` are not capped: every client behind the proxy
/// shares its address.
final class ConnectionCounter: Sendable {
    let limit: Int
    private let exempt: Set<String>
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    private struct State {
        var open: [String: Int] = [:]
        /// Refusals since the last warning, per address; logged at most every `logInterval`.
        var refused: [String: Int] = [:]
        var lastWarning: ContinuousClock.Instant?
    }

    static let logInterval: Duration = .seconds(10)

    init(limit: Int, exempt: Set<String>, logger: Logger) {
        self.limit = limit
        self.exempt = exempt
        self.logger = logger
    }

    /// Counts a new connection from `address`; false (and nothing counted) when the address
    /// already has `limit` open.
    func open(_ address: String) -> Bool {
        if exempt.contains(address) { return true }
        let (admitted, warning) = state.withLockedValue { state -> (Bool, [String: Int]?) in
            let count = state.open[address, default: 0]
            if count < limit {
                state.open[address] = count + 1
                return (true, nil)
            }
            state.refused[address, default: 0] += 1
            let now = ContinuousClock.now
            if let last = state.lastWarning, now - last < Self.logInterval { return (false, nil) }
            state.lastWarning = now
            let refused = state.refused
            state.refused = [:]
            return (false, refused)
        }
        if let warning {
            let summary = warning.sorted { $0.value > $1.value }.prefix(5).map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
            logger.warning("refused connections over the per-address limit of \(limit) ([server] max_connections_per_address): \(summary)")
        }
        return admitted
    }

    /// A connection counted by `open` has closed.
    func close(_ address: String) {
        if exempt.contains(address) { return }
        state.withLockedValue { state in
            let count = state.open[address, default: 0] - 1
            state.open[address] = count > 0 ? count : nil
        }
    }
}
