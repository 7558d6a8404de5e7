import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraStore

/// POST /api/v1/auth/signup: self-service accounts, as `[auth] signup` allows.
struct SignupRoutes {
    let auth: AuthRoutes
    let signup: Signup

    init(auth: AuthRoutes, config: KinoraConfig, bootstrap: BootstrapToken) {
        self.auth = auth
        signup = Signup(database: auth.database, config: config) { [retirement = bootstrap.retirement] in retirement?.retire() }
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
            try await signup.admit(address: context.clientAddress)
            let body = try await request.decodeJSON(as: Body.self, emptyAsObject: true)
            let user = try await signup.create(
                username: body.username, password: body.password, displayName: body.displayName,
                invitation: body.invitation)
            context.logger.info("account \(user.username) signed up as \(user.role)")
            return try auth.issueTokens(for: user, status: .created)
        }
    }
}
