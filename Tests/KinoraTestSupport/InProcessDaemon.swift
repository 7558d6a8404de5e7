import Foundation
import Hummingbird
import HummingbirdTesting
import KinoraServer
import Logging

/// The whole daemon (its config, a migrated database in `dataDir`, the bundled plugins started,
/// every middleware and route, the services beside them) driven in process through
/// Hummingbird's router test mode: no port, no child process, a request is a function call.
/// Rate limits, access rules and tus can be tested this way without making a single type of
/// the server public; the end-to-end tests still start the real executable.
///
/// ```swift
/// try await InProcessDaemon.test(dataDir: dir) { client, daemon in
///     try await client.execute(uri: "/api/v1/videos", method: .get) { response in
///         #expect(response.status == .ok)
///     }
/// }
/// ```
public enum InProcessDaemon {
    /// What a test may need besides the client: the data folder and the admin token.
    public struct Handle: Sendable {
        public let dataDir: String
        /// `Authorization` value for the bootstrap admin token the daemon made.
        public var adminAuthorization: String {
            let token = (try? String(contentsOfFile: dataDir + "/admin-token", encoding: .utf8)) ?? ""
            return "Bearer " + token.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// - Parameters:
    ///   - dataDir: the data folder (made if missing); the caller removes it.
    ///   - config: kinora.toml text, written into `dataDir`; nil for the embedded defaults.
    public static func test<Value: Sendable>(
        dataDir: String, config: String? = nil,
        _ body: @Sendable (any TestClientProtocol, Handle) async throws -> Value
    ) async throws -> Value {
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        var configPath: String?
        if let config {
            configPath = dataDir + "/kinora.toml"
            try config.write(toFile: configPath!, atomically: true, encoding: .utf8)
        }
        let setup = try ResolvedSetup.resolve(DaemonOptions(configPath: configPath, dataDir: dataDir))
        var logger = Logger(label: "kinora.in-process")
        logger.logLevel = .warning
        let assembly = try DaemonAssembly(setup, logger: logger)
        let handle = Handle(dataDir: dataDir)
        return try await assembly.routerApplication(logger: logger).test(.router) { client in
            try await body(client, handle)
        }
    }
}
