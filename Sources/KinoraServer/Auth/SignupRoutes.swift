import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraHost
import KinoraStore

/// POST /api/v1/auth/signup: self-service accounts, as `[auth] signup` allows.
struct SignupRoutes {
    let auth: AuthRoutes
    let mode: KinoraConfig.SignupMode
    let role: Role
    let bootstrap: BootstrapToken
    /// Every attempt counts, not only failures: sign-ups are what an address is limited in.
    let throttle: AttemptWindow
    let reservedHandles: Set<String>

    init(auth: AuthRoutes, config: KinoraConfig, bootstrap: BootstrapToken) {
        self.auth = auth
        mode = config.signupMode
        role = Role(rawValue: config.signupRole) ?? .creator
        self.bootstrap = bootstrap
        throttle = AttemptWindow(limit: config.signupAttemptsPerHour, window: 3600)
        reservedHandles = config.reservedHandles
    }

    struct Body: Decodable {
        var username: String
        var password: String
        var displayName: String?
        var invitation: String?

        enum CodingKeys: String, CodingKey {
            case username, password, invitation
            case displayName = "display_name"
        }
    }

    func register(on router: Router<KinoraRequestContext>) {
        router.post("api/v1/auth/signup") { request, context in
            try Access.anyone.check(context)
            return try await signup(request, context)
        }
    }

    func signup(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        guard mode != .closed else {
            throw Problem(.forbidden, type: "signup-closed", title: "Sign-up is closed",
                          detail: "this server does not take new accounts; ask an admin for one")
        }
        let key = ["signup:" + context.clientAddress]
        if let wait = await throttle.reserve(key) {
            var problem = Problem(.tooManyRequests, type: "too-many-attempts", title: "Too many sign-ups",
                                  detail: "too many sign-up attempts from this address; try again in \(wait) s")
            problem.headers[.retryAfter] = String(wait)
            throw problem
        }

        let body = try await AccountRequests.decode(Body.self, request)
        try AccountRequests.checkUsername(body.username)
        try AccountRequests.checkPassword(body.password, username: body.username, field: "password")
        // The username becomes the default channel's handle.
        let lowered = body.username.lowercased()
        guard !Accounts.reservedUsernames.contains(lowered), !reservedHandles.contains(lowered) else {
            throw ChannelRoutes.reserved("username", body.username)
        }
        let displayName = try body.displayName.map(AccountRequests.checkDisplayName)
        let invitation = body.invitation.flatMap { $0.isEmpty ? nil : $0 }
        if mode == .invite, invitation == nil {
            throw Problem(.forbidden, type: "invitation-required", title: "Invitation required",
                          detail: "sign-up needs an invitation code from an admin; send it as \"invitation\"")
        }

        let draft = UserRecord(id: RandomID.make(bytes: 10), username: body.username, displayName: displayName, role: role.rawValue,
                               passwordHash: try await Accounts.hash(body.password))
        let user: UserRecord
        do {
            user = try auth.database.invitations.signUp(draft, invitationHash: invitation.map(Accounts.hashSecret))
        } catch is UsernameTaken {
            throw Problem(.conflict, type: "username-taken", title: "Username taken",
                          detail: "the username \"\(body.username)\" is taken", extra: ["field": "username"])
        } catch is InvitationUnusable {
            throw Problem(.forbidden, type: "invalid-invitation", title: "Invalid invitation",
                          detail: "the invitation code is unknown, expired, revoked or used up")
        }
        if user.role == Role.admin.rawValue { bootstrap.retirement?.retire() }
        context.logger.info("account \(user.username) signed up as \(user.role)")
        return try auth.newSession(for: user, status: .created)
    }
}
