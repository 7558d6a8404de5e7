import Foundation
import KinoraClient
import OpenAPIRuntime

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The saved sign-in, made usable: a client for its server whose access token is refreshed
/// (and the new pair saved) shortly before it expires.
actor Session {
    private var credentials: Credentials
    let serverURL: URL

    init(_ credentials: Credentials) throws {
        self.credentials = credentials
        serverURL = try Session.url(credentials.server)
    }

    /// The saved session, or a clear word that there is none.
    static func load() throws -> Session {
        guard let credentials = try CredentialsFile.load() else {
            throw CommandError("not logged in: run kinora-client login --server URL --username NAME")
        }
        return try Session(credentials)
    }

    /// An anonymous client for `--server`, `$KINORA_SERVER` or the saved server.
    static func anonymousClient(server: String?) throws -> Client {
        let saved = try? CredentialsFile.load()
        guard let server = server ?? ProcessInfo.processInfo.environment["KINORA_SERVER"] ?? saved?.server else {
            throw UsageError("no server: pass --server URL (or log in first)")
        }
        return Client.kinora(serverURL: try url(server))
    }

    /// `http(s)://host[:port][/prefix]`, refused with the reason otherwise.
    static func url(_ text: String) throws -> URL {
        guard let url = URL(string: text.hasSuffix("/") ? String(text.dropLast()) : text),
            let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil
        else { throw UsageError("server \"\(text)\" is not an http:// or https:// URL") }
        return url
    }

    nonisolated var client: Client {
        Client.kinora(serverURL: serverURL) { [self] in try await self.accessToken() }
    }

    /// The access token, refreshed first when it has less than 30 s left.
    func accessToken() async throws -> String {
        guard credentials.expiresAt - 30 < Date().timeIntervalSince1970 else { return credentials.accessToken }
        let anonymous = Client.kinora(serverURL: serverURL)
        let answer: Operations.Refresh.Output
        do {
            answer = try await anonymous.refresh(body: .json(.init(refreshToken: credentials.refreshToken)))
        } catch let error where KinoraProblem.from(error)?.type == "invalid-refresh-token" {
            throw CommandError("the saved sign-in has expired or was revoked: run kinora-client login again")
        }
        guard case .ok(let ok) = answer, case .json(let tokens) = ok.body else { throw UnexpectedAnswer("refresh", answer) }
        credentials.accessToken = tokens.accessToken
        credentials.refreshToken = tokens.refreshToken
        credentials.expiresAt = Date().timeIntervalSince1970 + Double(tokens.expiresIn)
        try CredentialsFile.save(credentials)
        return tokens.accessToken
    }

    /// What to print for an error: the server's `detail` for a problem, the server's address
    /// for a connection failure.
    static func describe(_ error: any Error) -> String {
        if let problem = KinoraProblem.from(error) { return problem.description }
        if let clientError = error as? ClientError {
            if let urlError = clientError.underlyingError as? URLError {
                return "cannot reach \(clientError.baseURL?.absoluteString ?? "the server"): \(urlError.localizedDescription)"
            }
            return describe(clientError.underlyingError)
        }
        return String(describing: error)
    }
}
