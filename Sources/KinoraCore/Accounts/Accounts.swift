import Crypto
import Foundation
import HummingbirdBcrypt
import KinoraStore
import NIOPosix

/// Creating accounts and checking passwords; shared by the daemon and `kinora user add`.
public enum Accounts {
    public static let bcryptCost: UInt8 = 12

    /// A username or password that breaks the rules; `field` names which.
    /// Answered as 422 `invalid-field` naming `field`.
    public struct InvalidAccount: DomainError, CustomStringConvertible {
        public let field: String
        public let description: String

        public var problemType: ProblemType { .invalidField }
        public var detail: String? { description }
        public var extra: [String: String] { ["field": field] }
    }

    /// Names a visitor may not choose at sign-up: they read as the system speaking, or as
    /// route segments. An operator may still give them with `kinora user add`.
    public static let reservedUsernames: Set<String> = [
        "admin", "administrator", "api", "me", "root", "system", "kinora", "support", "help", "security",
        "moderator", "staff", "official", "login", "logout", "signup", "settings", "account", "accounts",
        "users", "user", "streams", "static", "healthz", "readyz", "metrics", "null", "anonymous", "everyone",
    ]

    /// 3-32 letters, digits, `.`, `_`, `-`; starts with a letter or digit.
    public static func checkUsername(_ name: String) throws(InvalidAccount) {
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }
        guard (3...32).contains(name.count), allowed, name.first.map({ $0.isLetter || $0.isNumber }) == true else {
            throw InvalidAccount(
                field: "username",
                description: "usernames are 3 to 32 characters: letters, digits, '.', '_', '-', starting with a letter or digit")
        }
    }

    /// The password policy: at least 10 characters, at most 72 bytes, not the username.
    public static func checkPassword(_ password: String, username: String, field: String = "password") throws(InvalidAccount) {
        guard password.count >= 10 else { throw InvalidAccount(field: field, description: "the password must have at least 10 characters") }
        // bcrypt reads at most 72 bytes: longer passwords would be silently truncated.
        guard password.utf8.count <= 72 else {
            throw InvalidAccount(field: field, description: "the password must have at most 72 bytes (bcrypt's limit)")
        }
        guard password.lowercased() != username.lowercased() else {
            throw InvalidAccount(field: field, description: "the password must not be the username")
        }
    }

    /// A strong random password (``Secrets/generatePassword()``), for `kinora user add`.
    public static func generatePassword() -> String { Secrets.generatePassword() }

    /// Hashes the password (bcrypt, cost 12) and inserts the account; an `email` given here is
    /// taken as verified (an admin typed it).
    @discardableResult
    public static func create(
        in database: KinoraDatabase, username: String, role: Role, password: String,
        displayName: String? = nil, email: String? = nil
    ) throws -> UserRecord {
        try checkUsername(username)
        try checkPassword(password, username: username)
        if let email { try checkEmail(email) }
        let user = UserRecord(
            id: RandomID.make(bytes: 10), username: username, displayName: displayName, role: role.rawValue,
            passwordHash: Bcrypt.hash(password, cost: bcryptCost))
        try database.users.create(user, email: email.map { UserEmail(address: $0, verified: true) })
        return user
    }

    /// Verifies off the event loops: bcrypt at cost 12 takes a quarter second of CPU.
    public static func hash(_ password: String) async throws -> String {
        try await BlockingPools.passwordHashing.runIfActive { Bcrypt.hash(password, cost: bcryptCost) }
    }

    public static func verify(_ password: String, hash: String) async throws -> Bool {
        try await BlockingPools.passwordHashing.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// Compared against when the username is unknown, so that case costs the same time.
    public static let dummyHash = Bcrypt.hash("kinora-no-such-user", cost: bcryptCost)
}
