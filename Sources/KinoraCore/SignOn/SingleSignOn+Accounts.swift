import Foundation
import HummingbirdBcrypt
import KinoraConfiguration
import KinoraHost
import KinoraStore
import NIOPosix

extension SingleSignOn {
    /// The account a verified identity signs in to: its linked account; else, when the
    /// provider allows it, the account with the same verified email (linked now); else, when
    /// allowed, a new account (linked). Answers the account and how it was found.
    func account(for claims: IDTokenClaims, provider config: OIDCProviderConfig) async throws(OIDCError) -> (UserRecord, String) {
        do {
            let oidc = database.oidc
            if let user = try oidc.linkedUser(provider: config.name, subject: claims.subject) {
                return (try Self.enabled(user), "linked")
            }
            let email = claims.email.flatMap { (try? Accounts.checkEmail($0)) == nil ? nil : $0 }
            if config.linkByEmail, claims.emailVerified, let email,
                let resolution = try oidc.linkByVerifiedEmail(provider: config.name, subject: claims.subject, email: email)
            {
                return try Self.outcome(resolution)
            }
            guard config.createAccounts else {
                throw OIDCError.noAccount(
                    "no account is linked to this \(config.displayName) identity and this provider does not create accounts"
                        + (config.linkByEmail ? " (an account with the same verified email would be linked)" : ""))
            }
            // SSO accounts have no password anyone knows; a real bcrypt hash keeps password
            // logins to them as slow as any other failed login.
            let hash = try await BlockingPools.passwordHashing.runIfActive { Bcrypt.hash(Accounts.generatePassword(), cost: Accounts.bcryptCost) }
            let username = Self.username(from: claims, reserved: reservedHandles)
            let displayName = claims.name.map { OIDCError.sanitized($0, limit: 100).trimmingCharacters(in: .whitespaces) }.flatMap {
                $0.isEmpty ? nil : $0
            }
            let user = UserRecord(id: RandomID.make(bytes: 10), username: username, displayName: displayName, role: config.role, passwordHash: hash)
            return try Self.outcome(
                try oidc.createLinked(
                    provider: config.name, subject: claims.subject, user: user,
                    email: email.map { UserEmail(address: $0, verified: claims.emailVerified) }))
        } catch let error as OIDCError {
            throw error
        } catch {
            throw .providerUnavailable("the account could not be resolved: \(error)")
        }
    }

    private static func outcome(_ resolution: OIDCResolution) throws(OIDCError) -> (UserRecord, String) {
        switch resolution {
        case .linked(let user): (try enabled(user), "linked")
        case .linkedByEmail(let user): (try enabled(user), "linked-by-email")
        case .created(let user): (user, "created")
        case .noAccount: throw .noAccount("no account matches this identity")
        }
    }

    private static func enabled(_ user: UserRecord) throws(OIDCError) -> UserRecord {
        guard !user.disabled else { throw .accountDisabled }
        return user
    }

    /// A valid username from `preferred_username`, else the email's local part, else "user":
    /// letters, digits, `.`, `_`, `-` kept, starting with a letter or digit, 3 to 28
    /// characters (room for a `-N` that makes it unique).
    /// A reserved name (`admin`, `support`…) gets a `user-` prefix: an identity provider's
    /// `preferred_username` must not make a channel `@admin`.
    static func username(from claims: IDTokenClaims, reserved: Set<String>) -> String {
        let source = claims.preferredUsername ?? claims.email.map { String($0.prefix { $0 != "@" }) } ?? ""
        var name = String(
            String.UnicodeScalarView(
                source.unicodeScalars.filter {
                    $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0))
                }))
        while let first = name.first, !(first.isLetter || first.isNumber) { name.removeFirst() }
        name = String(name.prefix(28))
        if name.count < 3 { name = "user" + name }
        if reserved.contains(name.lowercased()) { name = String(("user-" + name).prefix(28)) }
        return name
    }
}
