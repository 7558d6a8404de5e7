import Foundation
import KinoraStore

/// What a moderator's suspension or ban keeps an account from: a suspended account may sign
/// in and watch but not post comments or upload until the suspension ends; a banned one may do
/// nothing (its credentials are refused, see the server's account states) until lifted.
public enum AccountRestrictions {
    /// Refuses (403 `account-restricted`) an account that is suspended now or banned.
    public static func checkMayPost(_ database: KinoraDatabase, userID: String?, now: Date = Date()) throws {
        guard let userID else { return }
        let restriction = try database.moderation.restriction(userID: userID, now: now)
        if restriction.banned { throw Refused(.accountRestricted, "this account is banned") }
        if let until = restriction.suspendedUntil {
            throw Refused(.accountRestricted, "this account is suspended until \(RFC3339.string(until))")
        }
    }
}
