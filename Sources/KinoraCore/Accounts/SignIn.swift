import Foundation
import KinoraStore

/// What a sign-in's second factor amounts to for an account.
public enum SecondFactorVerdict: Equatable, Sendable {
    /// The account has no TOTP enabled: nothing to check.
    case notEnrolled
    case accepted
    /// TOTP is enabled and no code came.
    case required
    /// Wrong, expired or already used code, or an unknown or used recovery code.
    case rejected
}

/// Checks a presented second factor (a TOTP code or a recovery code) for an account.
public protocol SecondFactorChecking: Sendable {
    func verify(_ presented: String?, userID: String, now: Date) throws -> SecondFactorVerdict
}

/// The one credential check behind every password sign-in (tokens and cookie), so both
/// answer alike: the throttle first (the attempt is reserved before any check), then the
/// password (an unknown user costs a bcrypt check too), then the second factor. Wrong
/// passwords and wrong second factors count as failures; a missing second factor does not.
public struct SignIn: Sendable {
    public let database: KinoraDatabase
    public let passwords: PasswordChecks
    public let secondFactor: any SecondFactorChecking

    public init(database: KinoraDatabase, passwords: PasswordChecks, secondFactor: any SecondFactorChecking) {
        self.database = database
        self.passwords = passwords
        self.secondFactor = secondFactor
    }

    /// The account `username` signs in to from `address`.
    public func checkCredentials(username: String, password: String, totp: String?, address: String) async throws -> UserRecord {
        let ticket = try await passwords.reserve(username: username, address: address)
        do {
            let user = try await verify(username: username, password: password, totp: totp)
            await passwords.throttle.succeeded(ticket)
            return user
        } catch let failure as CountedFailure {
            await passwords.throttle.failed(ticket)
            throw failure.error
        } catch {
            await passwords.throttle.release(ticket)
            throw error
        }
    }

    /// A refusal that was a guess: it stays counted in the throttle.
    private struct CountedFailure: Error {
        let error: AccountError
    }

    private func verify(username: String, password: String, totp: String?) async throws -> UserRecord {
        let user = try database.users.find(username: username)
        let matches = try await Accounts.verify(password, hash: user?.passwordHash ?? Accounts.dummyHash)
        guard let user, matches, !user.disabled else { throw CountedFailure(error: .invalidCredentials) }
        switch try secondFactor.verify(totp, userID: user.id, now: Date()) {
        case .notEnrolled, .accepted: return user
        case .required: throw AccountError.totpRequired
        case .rejected: throw CountedFailure(error: .invalidTotp)
        }
    }

    /// The account a signed-in caller acts as: `userID` nil is the bootstrap token, which has
    /// none; a deleted or disabled account no longer counts.
    public static func account(id userID: String?, in database: KinoraDatabase) throws -> UserRecord {
        guard let userID else { throw AccountError.noAccount }
        guard let user = try database.users.find(id: userID), !user.disabled else { throw AccountError.accountNoLongerExists }
        return user
    }
}
