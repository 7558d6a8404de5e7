import Foundation
import KinoraClient

/// `login --server URL --username NAME [--totp CODE]`: the password from `$KINORA_PASSWORD`,
/// else the first line of standard input (never an argument, which `ps` would show).
enum Login {
    static func run(_ words: ArraySlice<String>) async throws {
        let arguments = try Arguments(words, options: ["server", "username", "totp"])
        _ = try arguments.expectPositional([])
        let server = arguments[option: "server"] ?? ProcessInfo.processInfo.environment["KINORA_SERVER"]
        guard let server else { throw UsageError("missing --server URL") }
        guard let username = arguments[option: "username"], !username.isEmpty else { throw UsageError("missing --username NAME") }
        let serverURL = try Session.url(server)
        let password = ProcessInfo.processInfo.environment["KINORA_PASSWORD"] ?? readLine(strippingNewline: true)
        guard let password, !password.isEmpty else {
            throw UsageError("no password: set KINORA_PASSWORD or write it on standard input")
        }

        let client = Client.kinora(serverURL: serverURL)
        let answer = try await client.login(
            body: .json(.init(username: username, password: password, totp: arguments[option: "totp"])))
        guard case .ok(let ok) = answer, case .json(let tokens) = ok.body else { throw UnexpectedAnswer("login", answer) }
        try CredentialsFile.save(
            Credentials(
                server: serverURL.absoluteString, username: username, accessToken: tokens.accessToken,
                refreshToken: tokens.refreshToken, expiresAt: Date().timeIntervalSince1970 + Double(tokens.expiresIn)))
        standardError("logged in to \(serverURL.absoluteString) as \(username); tokens saved in \(CredentialsFile.path)")
    }
}

/// `logout`: revokes the saved refresh token's family on the server and forgets it here.
enum Logout {
    static func run(_ words: ArraySlice<String>) async throws {
        _ = try Arguments(words, options: []).expectPositional([])
        guard let credentials = try CredentialsFile.load() else { throw CommandError("not logged in") }
        let client = Client.kinora(serverURL: try Session.url(credentials.server))
        do {
            _ = try await client.logout(body: .json(.init(refreshToken: credentials.refreshToken)))
        } catch let error where KinoraProblem.from(error)?.type == "invalid-refresh-token" {
            // Already revoked or expired: forgetting it is all that is left to do.
        }
        try FileManager.default.removeItem(atPath: CredentialsFile.path)
        standardError("logged out of \(credentials.server)")
    }
}
