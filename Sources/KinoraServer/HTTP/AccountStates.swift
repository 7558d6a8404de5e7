import Foundation
import KinoraCore
import KinoraStore
import NIOConcurrencyHelpers

/// Whether an account may still act, as ``AuthMiddleware`` asks on every authenticated
/// request whatever the credential: an access token outlives a disable or a deletion by up to
/// its lifetime, so the token alone is not enough. Answers are kept `ttl` seconds per account,
/// so a busy client costs one database read per account every few seconds, and a disabled
/// account is refused at most `ttl` seconds after the change.
final class AccountStates: Sendable {
    enum State: Sendable, Equatable {
        case active(Role)
        case disabled
        case banned
        case gone
    }

    let database: KinoraDatabase
    let ttl: TimeInterval
    private let cache = NIOLockedValueBox([String: (state: State, read: Date)]())

    init(database: KinoraDatabase, ttl: TimeInterval = 2) {
        self.database = database
        self.ttl = ttl
    }

    func state(of userID: String, now: Date = Date()) throws -> State {
        if let hit = cache.withLockedValue({ $0[userID] }), now.timeIntervalSince(hit.read) < ttl { return hit.state }
        let state: State
        if let user = try database.users.find(id: userID) {
            if user.disabled {
                state = .disabled
            } else if try database.moderation.restriction(userID: userID, now: now).banned {
                state = .banned
            } else {
                state = Role(rawValue: user.role).map(State.active) ?? .gone
            }
        } else {
            state = .gone
        }
        cache.withLockedValue { table in
            if table.count >= 10_000 { table = table.filter { now.timeIntervalSince($0.value.read) < ttl } }
            table[userID] = (state, now)
        }
        return state
    }

    /// The principal with the account's current role, or 401 when the account is disabled or
    /// deleted. The bootstrap token has no account and passes.
    func check(_ principal: Principal?) throws -> Principal? {
        guard let id = principal?.userID else { return principal }
        switch try state(of: id) {
        case .active(let role):
            return .user(id: id, role: role)
        case .disabled:
            throw AccountError.credentialOfDisabledAccount
        case .banned:
            // 401 as for a disabled account: the credential no longer stands for anyone who may act.
            throw Refused(.accountRestricted, "this account is banned", refusal: .unauthenticated)
        case .gone:
            throw AccountError.accountGone
        }
    }
}
