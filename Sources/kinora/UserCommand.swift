import ArgumentParser
import Foundation
import KinoraCore
import KinoraServer
import KinoraStore

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage accounts.", subcommands: [Add.self, ResetPassword.self, Passwd.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an account (works while the daemon runs). Without --password-stdin a strong password is generated and printed once.")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The username: 3-32 letters, digits, '.', '_', '-' (unique whatever its case).") var name: String
        @Option(help: "admin, moderator, creator or viewer.") var role: String
        @Option(name: .customLong("display-name"), help: "Shown instead of the username (default: the username).") var displayName: String?
        @Option(help: "The account's email address, taken as verified (SSO logins with that verified address link to this account).")
        var email: String?
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input (one trailing newline is not part of it).")
        var passwordStdin = false

        func validate() throws {
            guard Role(rawValue: role) != nil else {
                throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() async throws {
            let password = passwordStdin ? UserCommand.readPassword() : Accounts.generatePassword()
            let setup = try CLIError.wrap { try ResolvedSetup.resolve(options.daemonOptions) }
            let database = try CLIError.wrap { try DatabaseOpening.open(setup.config) }
            _ = try CLIError.wrap { try database.migrate() }
            let user = try CLIError.wrap {
                try Accounts.create(
                    in: database, username: name, role: Role(rawValue: role)!, password: password, displayName: displayName, email: email)
            }
            print("created \(user.role) \(user.username) (id \(user.id))")
            if !passwordStdin { print("password: \(password)") }
        }
    }
}
