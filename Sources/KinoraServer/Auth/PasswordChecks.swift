import Foundation
import Hummingbird
import KinoraStore

/// Every password check of the daemon: sign-in (tokens and cookie) and each route that asks
/// the signed-in account for its password again (change password, delete account, turn off
/// two-factor, new recovery codes). One throttle for all of them, so a stolen session gets
/// no more guesses through a confirmation route than a stranger gets at the login form.
struct PasswordChecks: Sendable {
    let throttle: LoginThrottle

    /// Reserves an attempt for `username` from the caller's address, or throws 429.
    func reserve(username: String, _ context: KinoraRequestContext) async throws -> LoginThrottle.Ticket {
        switch await throttle.reserve(account: username.lowercased(), address: context.clientAddress) {
        case .success(let ticket): return ticket
        case .failure(let wait): throw Self.tooMany(wait.seconds)
        }
    }

    /// Checks the signed-in account's password; `wrong` is thrown when it does not match.
    func confirm(_ password: String, of user: UserRecord, _ context: KinoraRequestContext, wrong: Problem) async throws {
        let ticket = try await reserve(username: user.username, context)
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

    static func tooMany(_ wait: Int) -> Problem {
        var problem = Problem(.tooManyRequests, type: "too-many-attempts", title: "Too many failed attempts",
                              detail: "too many wrong passwords or codes for this account, or from this address; try again in \(wait) s")
        problem.headers[.retryAfter] = String(wait)
        return problem
    }
}
