import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

extension AuthRoutes {
    /// What every sign-in that answers tokens answers (password, sign-up, password change,
    /// single sign-on): a new refresh-token family and an access token for `user`.
    func issueTokens(for user: UserRecord, status: HTTPResponse.Status = .ok) throws -> Response {
        try Self.tokenResponse(try issuer.issue(for: user), status: status)
    }

    static func tokenResponse(_ tokens: IssuedTokens, status: HTTPResponse.Status = .ok) throws -> Response {
        var response = try JSONResponse.make(status, encoding: tokens)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
