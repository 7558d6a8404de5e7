import Foundation
import Hummingbird
import KinoraStore

/// /api/v1/me/totp: enrol (pending until a first code confirms it), confirm, disable, and new
/// recovery codes. Every route is for a signed-in account; the bootstrap token has none.
struct TOTPRoutes {
    let auth: AuthRoutes

    var database: KinoraDatabase { auth.database }
    var twoFactor: TwoFactor { auth.twoFactor }

    func register(on router: Router<KinoraRequestContext>) {
        router.post("api/v1/me/totp") { _, context in try enrol(try account(context)) }
        router.post("api/v1/me/totp/confirm") { request, context in try await confirm(request, context) }
        router.delete("api/v1/me/totp") { request, context in try await disable(request, context) }
        router.post("api/v1/me/totp/recovery-codes") { request, context in try await regenerate(request, context) }
    }

    /// A new secret, pending: it replaces an earlier pending one and is refused while TOTP is on.
    func enrol(_ user: UserRecord) throws -> Response {
        let secret = TwoFactor.newSecret()
        let uri = TwoFactor.authenticatorURI(secret: secret, username: user.username)
        guard try database.totp.startEnrolment(TOTPRecord(userID: user.id, sealedSecret: try twoFactor.seal(secret, userID: user.id))) else {
            throw Self.alreadyEnabled
        }
        return try Self.noStore(["secret": TwoFactor.base32Secret(inURI: uri) ?? "", "otpauth_uri": uri])
    }

    /// The first code from the app turns TOTP on and answers the recovery codes, once.
    func confirm(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        let user = try account(context)
        guard let code = try await AuthRoutes.jsonBody(request, context)["code"] as? String else {
            throw Problem(.badRequest, type: "bad-request", title: "Bad request", detail: "send JSON with a \"code\" string")
        }
        guard let record = try database.totp.find(userID: user.id) else {
            throw Problem(.conflict, type: "no-totp-enrolment", title: "No enrolment",
                          detail: "start with POST /api/v1/me/totp, then confirm with a code from the authenticator app")
        }
        guard !record.enabled else { throw Self.alreadyEnabled }
        guard let step = TwoFactor.matchingStep(code: code.filter { !$0.isWhitespace }, secret: try twoFactor.open(record.sealedSecret, userID: user.id),
                                                now: Date()) else {
            throw Problem(.unprocessableContent, type: "invalid-totp", title: "Invalid two-factor code",
                          detail: "the code does not match the secret; check the device's clock and send the current code")
        }
        let codes = TwoFactor.newRecoveryCodes()
        guard try database.totp.enable(userID: user.id, step: step, recoveryCodeHashes: codes.map { TwoFactor.recoveryCodeHash($0, userID: user.id) }) else {
            throw Self.alreadyEnabled
        }
        context.logger.info("two-factor authentication enabled", metadata: ["user": .string(user.id)])
        return try Self.noStore(["recovery_codes": codes])
    }

    func disable(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        let user = try account(context)
        try await confirmPassword(request, context, user)
        guard try database.totp.disable(userID: user.id) else { throw Self.notEnabled }
        context.logger.info("two-factor authentication disabled", metadata: ["user": .string(user.id)])
        return Response(status: .noContent)
    }

    func regenerate(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        let user = try account(context)
        try await confirmPassword(request, context, user)
        let codes = TwoFactor.newRecoveryCodes()
        guard try database.totp.replaceRecoveryCodes(userID: user.id, hashes: codes.map { TwoFactor.recoveryCodeHash($0, userID: user.id) }) else {
            throw Self.notEnabled
        }
        return try Self.noStore(["recovery_codes": codes])
    }

    /// The caller's account; the bootstrap token has none (404, as GET /me).
    func account(_ context: KinoraRequestContext) throws -> UserRecord {
        try Access.authenticated.check(context)
        guard let id = context.principal?.userID else {
            throw Problem(.notFound, type: "no-account", title: "No account", detail: "the bootstrap admin token belongs to no account")
        }
        guard let user = try database.users.find(id: id), !user.disabled else { throw Problem.unauthorized("the account no longer exists") }
        return user
    }

    /// Turning the second factor off, or seeing new recovery codes, takes the password again:
    /// a stolen session alone must not do it. Guesses count in the one password throttle.
    func confirmPassword(_ request: Request, _ context: KinoraRequestContext, _ user: UserRecord) async throws {
        guard let password = try await AuthRoutes.jsonBody(request, context)["password"] as? String else {
            throw Problem(.badRequest, type: "bad-request", title: "Bad request", detail: "send JSON with the account's \"password\"")
        }
        try await auth.passwords.confirm(password, of: user, context,
                                         wrong: Problem(.forbidden, type: "invalid-password", title: "Wrong password", detail: "the password is wrong"))
    }

    static let alreadyEnabled = Problem(.conflict, type: "totp-enabled", title: "Two-factor already enabled",
                                        detail: "two-factor authentication is on; disable it first to enrol a new device")
    static let notEnabled = Problem(.conflict, type: "totp-not-enabled", title: "Two-factor not enabled",
                                    detail: "this account has no two-factor authentication")

    static func noStore(_ object: [String: Any]) throws -> Response {
        var response = try JSONResponse.make(.ok, object)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
