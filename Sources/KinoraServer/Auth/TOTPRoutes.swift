import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

/// /api/v1/me/totp: enrol (pending until a first code confirms it), confirm, disable, and new
/// recovery codes. Every route is for a signed-in account; the bootstrap token has none.
struct TOTPRoutes {
    let auth: AuthRoutes

    var database: KinoraDatabase { auth.database }
    var twoFactor: TwoFactor { auth.twoFactor }

    struct CodeBody: Decodable {
        var code: String?
    }

    struct PasswordBody: Decodable {
        var password: String?
    }

    func register(on router: Router<KinoraRequestContext>) {
        router.post("api/v1/me/totp") { _, context in
            let enrolment = try twoFactor.enrol(try account(context))
            return try Self.noStore(["secret": enrolment.secret, "otpauth_uri": enrolment.uri])
        }
        router.post("api/v1/me/totp/confirm") { request, context in
            let user = try account(context)
            guard let code = try await request.decodeJSON(as: CodeBody.self).code else {
                throw AccountError.badRequest("send JSON with a \"code\" string")
            }
            let codes = try twoFactor.confirm(user, code: code)
            context.logger.info("two-factor authentication enabled", metadata: ["user": .string(user.id)])
            return try Self.noStore(["recovery_codes": codes])
        }
        router.delete("api/v1/me/totp") { request, context in
            let user = try account(context)
            try await confirmPassword(request, context, user)
            try twoFactor.disable(user)
            context.logger.info("two-factor authentication disabled", metadata: ["user": .string(user.id)])
            return Response(status: .noContent)
        }
        router.post("api/v1/me/totp/recovery-codes") { request, context in
            let user = try account(context)
            try await confirmPassword(request, context, user)
            return try Self.noStore(["recovery_codes": try twoFactor.regenerateRecoveryCodes(user)])
        }
    }

    /// The caller's account; the bootstrap token has none (404, as GET /me).
    func account(_ context: KinoraRequestContext) throws -> UserRecord {
        try Access.authenticated.check(context)
        return try SignIn.account(id: context.principal?.userID, in: database)
    }

    /// Turning the second factor off, or seeing new recovery codes, takes the password again:
    /// a stolen session alone must not do it. Guesses count in the one password throttle.
    func confirmPassword(_ request: Request, _ context: KinoraRequestContext, _ user: UserRecord) async throws {
        guard let password = try await request.decodeJSON(as: PasswordBody.self).password else {
            throw AccountError.badRequest("send JSON with the account's \"password\"")
        }
        try await auth.passwords.confirm(password, of: user, address: context.clientAddress, wrong: .invalidPassword(detail: "the password is wrong"))
    }

    static func noStore(_ object: [String: Any]) throws -> Response {
        var response = try JSONResponse.make(.ok, object)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
