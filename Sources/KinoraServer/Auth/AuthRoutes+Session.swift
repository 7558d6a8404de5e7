import Foundation
import Hummingbird
import KinoraStore

extension AuthRoutes {
    /// Starts a new refresh token family for the user and answers the login token body.
    func newSession(for user: UserRecord, status: HTTPResponse.Status = .ok) throws -> Response {
        let refresh = Accounts.newRefreshToken()
        try database.users.addRefreshToken(RefreshTokenRecord(
            tokenHash: refresh.hash, userID: user.id, familyID: RandomID.make(bytes: 10), expiresAt: Date().addingTimeInterval(refreshLifetime)))
        return try tokenResponse(user: user, refreshToken: refresh.token, status: status)
    }
}
