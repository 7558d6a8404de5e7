import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraStore

/// Self-service accounts, as `[auth] signup` allows: open, by invitation, or closed.
public struct Signup: Sendable {
    public let database: KinoraDatabase
    public let mode: KinoraConfig.SignupMode
    /// The role a sign-up gets without an invitation that names one.
    public let role: Role
    /// Every attempt counts, not only failures: sign-ups are what an address is limited in.
    public let throttle: AttemptWindow
    /// Handles the site keeps for itself, beside ``Accounts/reservedUsernames``.
    public let reservedHandles: Set<String>
    /// Told when an admin account appears (the bootstrap token then retires).
    public let adminAppeared: @Sendable () -> Void

    public init(database: KinoraDatabase, config: KinoraConfig, adminAppeared: @escaping @Sendable () -> Void) {
        self.database = database
        mode = config.signupMode
        role = Role(rawValue: config.signupRole) ?? .creator
        throttle = AttemptWindow(limit: config.signupAttemptsPerHour, window: 3600)
        reservedHandles = config.reservedHandles
        self.adminAppeared = adminAppeared
    }

    /// Whether `address` may try to sign up now; counts the attempt. Checked before the body
    /// is read, so a closed server or a flooding address learns nothing from its bodies.
    public func admit(address: String) async throws {
        guard mode != .closed else { throw AccountError.signupClosed }
        if let wait = await throttle.reserve(["signup:" + address]) { throw AccountError.tooManySignups(seconds: wait) }
    }

    /// Creates the account (its username becomes its default channel's handle), spending the
    /// invitation when one is given or required.
    public func create(username: String, password: String, displayName: String?, invitation: String?) async throws -> UserRecord {
        try Accounts.checkUsername(username)
        try Accounts.checkPassword(password, username: username, field: "password")
        let lowered = username.lowercased()
        guard !Accounts.reservedUsernames.contains(lowered), !reservedHandles.contains(lowered) else {
            throw Refused(.handleReserved, "\"\(username)\" is reserved for the site's own use; choose another", extra: ["field": "username"])
        }
        let displayName = try displayName.map(Accounts.checkDisplayName)
        let invitation = invitation.flatMap { $0.isEmpty ? nil : $0 }
        if mode == .invite, invitation == nil { throw AccountError.invitationRequired }

        let draft = UserRecord(
            id: RandomID.make(bytes: 10), username: username, displayName: displayName, role: role.rawValue,
            passwordHash: try await Accounts.hash(password))
        let user: UserRecord
        do {
            user = try database.invitations.signUp(draft, invitationHash: invitation.map(Secrets.hash))
        } catch is UsernameTaken {
            throw AccountError.usernameTaken(username)
        } catch is InvitationUnusable {
            throw AccountError.invalidInvitation
        }
        if user.role == Role.admin.rawValue { adminAppeared() }
        return user
    }
}
