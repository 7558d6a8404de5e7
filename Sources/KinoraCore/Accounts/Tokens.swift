import Foundation
import KinoraStore
import Logging

/// An access token and the refresh token that renews it, as a sign-in answers them.
public struct IssuedTokens: Sendable, Encodable {
    public let accessToken: String
    public let refreshToken: String
    /// The access token's lifetime in seconds.
    public let expiresIn: Int
    public let tokenType = "Bearer"

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", refreshToken = "refresh_token", expiresIn = "expires_in", tokenType = "token_type"
    }
}

/// Issues, renews and revokes the token pairs of bearer clients. Every sign-in that answers
/// tokens (password, sign-up, password change, single sign-on) goes through ``issue(for:)``.
public struct TokenIssuer: Sendable {
    public let database: KinoraDatabase
    public let signer: JWTSigner
    /// Seconds an access token is valid.
    public let accessLifetime: Int
    public let refreshLifetime: TimeInterval

    public init(database: KinoraDatabase, signer: JWTSigner, accessLifetime: Int, refreshLifetime: TimeInterval) {
        self.database = database
        self.signer = signer
        self.accessLifetime = accessLifetime
        self.refreshLifetime = refreshLifetime
    }

    /// A signed access token for `user`.
    public func accessToken(for user: UserRecord, now: Date = Date()) throws -> String {
        let iat = Int(now.timeIntervalSince1970)
        return try signer.sign(.init(sub: user.id, role: user.role, iat: iat, exp: iat + accessLifetime, jti: RandomID.make(bytes: 10)))
    }

    /// Starts a new refresh-token family for `user`, with an access token.
    public func issue(for user: UserRecord) throws -> IssuedTokens {
        let refresh = Secrets.newToken()
        try database.users.addRefreshToken(
            RefreshTokenRecord(
                tokenHash: refresh.hash, userID: user.id, familyID: RandomID.make(bytes: 10), expiresAt: Date().addingTimeInterval(refreshLifetime)))
        return IssuedTokens(accessToken: try accessToken(for: user), refreshToken: refresh.token, expiresIn: accessLifetime)
    }

    /// Trades a refresh token for the next of its family. A token presented twice revokes its
    /// family: one of the two presenters stole it.
    public func refresh(_ presented: String, logger: Logger) throws -> IssuedTokens {
        let next = Secrets.newToken()
        switch try database.users.rotate(
            hash: Secrets.hash(presented), nextHash: next.hash,
            expiresAt: Date().addingTimeInterval(refreshLifetime))
        {
        case .rotated(let user, _):
            return IssuedTokens(accessToken: try accessToken(for: user), refreshToken: next.token, expiresIn: accessLifetime)
        case .reused:
            logger.warning("a used refresh token was presented again; its family is revoked")
            throw AccountError.invalidRefreshToken
        case .invalid:
            throw AccountError.invalidRefreshToken
        }
    }

    /// Ends the token's family, or with `everywhere` every refresh token and browser session
    /// of its account.
    public func logout(_ presented: String, everywhere: Bool) throws {
        guard let token = try database.users.refreshToken(hash: Secrets.hash(presented)) else { throw AccountError.invalidRefreshToken }
        if everywhere {
            try database.users.revokeAll(userID: token.userID)
            try database.sessions.deleteAll(userID: token.userID)
        } else {
            try database.users.revokeFamily(token.familyID)
        }
    }
}
