import ArgumentParser
import Foundation
import KinoraCore
import KinoraServer
import KinoraStore

extension UserCommand {
    /// The database of the configured data folder, migrated, and the named account.
    static func account(_ options: ConfigOptions, _ name: String) throws -> (KinoraDatabase, UserRecord) {
        let setup = try CLIError.wrap { try ResolvedSetup.resolve(options.daemonOptions) }
        let database = try CLIError.wrap { try DatabaseOpening.open(setup.config) }
        _ = try CLIError.wrap { try database.migrate() }
        guard let user = try database.users.find(username: name) else { throw CLIError("no account named \(name)") }
        return (database, user)
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password",
            abstract:
                "Print a one-time password reset token for an account (valid 1 hour; works while the daemon runs). The holder sets a new password with POST /api/v1/auth/password-reset."
        )

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The username (any case).") var name: String

        func run() async throws {
            let (database, user) = try UserCommand.account(options, name)
            let issued = try CLIError.wrap { try Accounts.issueResetToken(in: database, userID: user.id) }
            print("reset token for \(user.username), valid until \(ISO8601DateFormatter().string(from: issued.expiresAt)):")
            print(issued.token)
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Set an account's password and sign it out everywhere (works while the daemon runs). Without --password-stdin a strong password is generated and printed once."
        )

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The username (any case).") var name: String
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input (one trailing newline is not part of it).")
        var passwordStdin = false

        func run() async throws {
            let password = passwordStdin ? UserCommand.readPassword() : Accounts.generatePassword()
            let (database, user) = try UserCommand.account(options, name)
            try CLIError.wrap { try Accounts.setPassword(in: database, user: user, password: password) }
            print("password of \(user.username) set; its refresh tokens are revoked")
            if !passwordStdin { print("password: \(password)") }
        }
    }

    /// Standard input without one trailing newline.
    static func readPassword() -> String {
        var text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        if text.hasSuffix("\r\n") { text.removeLast(2) } else if text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
