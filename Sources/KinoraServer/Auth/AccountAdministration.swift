import Hummingbird
import KinoraConfiguration
import KinoraCore
import KinoraHost

/// Every account route beyond login: sign-up, invitations, passwords, user admin, API keys.
/// One entry for the daemon, so its wiring stays one line.
struct AccountAdministration {
    let auth: AuthRoutes
    let config: KinoraConfig
    let bootstrap: BootstrapToken
    let notifier: Notifier

    func register(on router: Router<KinoraRequestContext>) {
        SignupRoutes(auth: auth, config: config, bootstrap: bootstrap).register(on: router)
        InvitationRoutes(database: auth.database, defaultRole: Role(rawValue: config.signupRole) ?? .creator).register(on: router)
        PasswordRoutes(auth: auth, notifier: notifier, siteURL: config.siteURL).register(on: router)
        UserAdminRoutes(database: auth.database, bootstrap: bootstrap).register(on: router)
        APIKeyRoutes(database: auth.database).register(on: router)
    }
}
