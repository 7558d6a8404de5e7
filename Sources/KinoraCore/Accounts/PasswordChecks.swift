import Foundation
import KinoraStore

/// Every password check of the daemon: sign-in (tokens and cookie) and each action that asks
/// the signed-in account for its password again (change password, delete account, turn off
/// two-factor, new recovery codes). One throttle for all of them, so a stolen session gets
/// no more guesses through a confirmation than a stranger gets at the login form.
public struct PasswordChecks: Sendable {
    public let throttle: LoginThrottle

    public init(throttle: LoginThrottle) {
        self.throttle = throttle
    }

    /// Reserves an attempt for `username` from `address`, or throws ``AccountError/tooManyFailedAttempts(seconds:)``.
    public func reserve(username: String, address: String) async throws -> LoginThrottle.Ticket {
        switch await throttle.reserve(account: username.lowercased(), address: address) {
        case .success(let ticket): return ticket
        case .failure(let wait): throw AccountError.tooManyFailedAttempts(seconds: wait.seconds)
        }
    }

    /// Checks the signed-in account's password; `wrong` is thrown when it does not match.
    public func confirm(_ password: String, of user: UserRecord, address: String, wrong: AccountError) async throws {
        let ticket = try await reserve(username: user.username, address: address)
        let matches: Bool
        do {
            matches = try await Accounts.verify(password, hash: user.passwordHash)
        } catch {
            await throttle.release(ticket)
            throw error
        }
        guard matches else {
            await throttle.failed(ticket)
            throw wrong
        }
        await throttle.succeeded(ticket)
    }
}
