import Foundation
import Hummingbird
import KinoraStore

extension AuthRoutes {
    /// What every successful sign-in answers, password or SSO: a new refresh-token family and
    /// an access token for `user`.
    func issueTokens(for user: UserRecord) throws -> Response {
        let refresh = Accounts.newRefreshToken()
        try database.users.addRefreshToken(RefreshTokenRecord(
            tokenHash: refresh.hash, userID: user.id, familyID: RandomID.make(bytes: 10), expiresAt: Date().addingTimeInterval(refreshLifetime)))
        return try tokenResponse(user: user, refreshToken: refresh.token)
    }
}
