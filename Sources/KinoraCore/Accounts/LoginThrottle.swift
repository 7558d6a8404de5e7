import Foundation
import KinoraConfiguration
import KinoraHost

/// Failed password and second-factor checks, in memory, shaped so that guessing is slow but
/// nobody can lock an owner out:
/// - one account from one address: `pairFailures` in `window`, then that pair is refused
///   until the oldest failure leaves the window;
/// - one address over every account: `addressFailures` (high, for a NAT of many users);
/// - one account from anywhere: after `delayAfter` failures, each further attempt waits
///   `delay`, then twice that, four times … (at most `maxDelay`) after the account's last
///   failure. An address with no failure on the account is not kept waiting, so the owner
///   signing in from elsewhere gets in while an attacker is being slowed.
///
/// An attempt is reserved (counted as a failure) before the password is checked and settled
/// after, in one actor step each, so concurrent guesses cannot all pass the check first.
public actor LoginThrottle {
    public struct Policy: Sendable {
        public var pairFailures = 5
        public var addressFailures = 50
        public var window: TimeInterval = 15 * 60
        public var delayAfter = 5
        public var delay: TimeInterval = 2
        public var maxDelay: TimeInterval = 60

        public init() {}

        /// The `[auth] login_*` settings.
        public init(_ config: KinoraConfig) {
            pairFailures = config.loginLockFailures
            addressFailures = config.loginAddressFailures
            window = config.loginWindowMinutes * 60
            delayAfter = config.loginDelayAfter
            delay = config.loginDelaySeconds
            maxDelay = config.loginDelayMaxSeconds
        }
    }

    /// A reserved attempt; settle it once with ``failed(_:)``, ``succeeded(_:)`` or ``release(_:)``.
    public struct Ticket: Sendable {
        fileprivate let id: UInt64
        fileprivate let keys: [String]
    }

    private struct Entry {
        let id: UInt64
        var at: Date
    }

    public let policy: Policy
    private var entries: [String: [Entry]] = [:]
    private var nextID: UInt64 = 0
    private var sweepAt = 10_000
    /// Past this, an account's older failures are forgotten: the delay is at its cap long before.
    private static let accountEntryCap = 256

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// Reserves an attempt for `account` (lower-cased username) from `address`: the ticket,
    /// or the seconds to wait (429) when a limit is reached.
    public func reserve(account: String, address: String, now: Date = Date()) -> Result<Ticket, Wait> {
        let pairKey = "pair:" + account + "|" + address, accountKey = "account:" + account, addressKey = "address:" + address
        let pair = prune(pairKey, now: now), byAccount = prune(accountKey, now: now), byAddress = prune(addressKey, now: now)
        var wait: TimeInterval = 0
        if pair.count >= policy.pairFailures, let oldest = pair.first {
            wait = max(wait, oldest.at.addingTimeInterval(policy.window).timeIntervalSince(now))
        }
        if byAddress.count >= policy.addressFailures, let oldest = byAddress.first {
            wait = max(wait, oldest.at.addingTimeInterval(policy.window).timeIntervalSince(now))
        }
        if !pair.isEmpty, byAccount.count >= policy.delayAfter, let last = byAccount.map(\.at).max() {
            let delay = min(policy.maxDelay, policy.delay * pow(2, Double(min(byAccount.count - policy.delayAfter, 30))))
            wait = max(wait, last.addingTimeInterval(delay).timeIntervalSince(now))
        }
        if wait > 0 { return .failure(Wait(seconds: max(1, Int(wait.rounded(.up))))) }
        nextID += 1
        let ticket = Ticket(id: nextID, keys: [pairKey, accountKey, addressKey])
        for key in ticket.keys { entries[key, default: []].append(Entry(id: ticket.id, at: now)) }
        if let count = entries[accountKey]?.count, count > Self.accountEntryCap {
            entries[accountKey]?.removeFirst(count - Self.accountEntryCap)
        }
        sweep(now: now)
        return .success(ticket)
    }

    /// The check failed: the reservation stays, dated now, so delays run from the answer.
    public func failed(_ ticket: Ticket, now: Date = Date()) {
        for key in ticket.keys {
            guard let index = entries[key]?.firstIndex(where: { $0.id == ticket.id }) else { continue }
            entries[key]?[index].at = now
        }
    }

    /// The credentials were right: the reservation goes, and so do this address's failures on
    /// the account. The account's other failures stay, so an attacker elsewhere is still slowed.
    public func succeeded(_ ticket: Ticket) {
        release(ticket)
        entries[ticket.keys[0]] = nil
    }

    /// Nothing was guessed (no second factor sent, an error): the reservation goes.
    public func release(_ ticket: Ticket) {
        for key in ticket.keys {
            entries[key]?.removeAll { $0.id == ticket.id }
            if entries[key]?.isEmpty == true { entries[key] = nil }
        }
    }

    public struct Wait: Error {
        public let seconds: Int
    }

    private func prune(_ key: String, now: Date) -> [Entry] {
        guard let list = entries[key] else { return [] }
        let recent = list.filter { now.timeIntervalSince($0.at) < policy.window }
        entries[key] = recent.isEmpty ? nil : recent
        return recent
    }

    /// Bounds memory: keys whose entries are all old are forgotten. The next sweep waits until
    /// the table has doubled, so a flood of live keys does not make every attempt a full scan.
    private func sweep(now: Date) {
        guard entries.count > sweepAt else { return }
        entries = entries.filter { $0.value.contains { now.timeIntervalSince($0.at) < policy.window } }
        sweepAt = max(10_000, entries.count * 2)
    }
}
