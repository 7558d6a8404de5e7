import Foundation
import KinoraHost

/// A real OpenID Connect provider (PyPI `oidc-provider-mock`, through
/// Tests/Fixtures/python/oidc_provider.py) on a free loopback port. `stop()` kills it; so does
/// closing its standard input, which happens when the test process dies.
public final class OIDCProviderProcess: @unchecked Sendable {
    let peer = PythonPeer(script: "oidc_provider.py")

    public init() {}

    public var process: Process { peer.process }
    public var port: Int { peer.port }
    public var issuer: String { "http://127.0.0.1:\(port)" }
    public var log: String { peer.log }

    /// Starts the provider and waits for the port it prints; throws (never skips) when it
    /// cannot start.
    public func start(timeout: Duration = .seconds(60)) async throws {
        try await peer.start(timeout: timeout)
    }

    public func stop() { peer.stop() }

    public func request(_ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8] = []) throws -> HTTPResult {
        try peer.request(method, path, headers: headers, body: body)
    }

    /// Sets the claims the provider puts in the ID token of `subject`.
    public func setUser(_ subject: String, claims: [String: Any]) throws {
        let result = try request(
            "PUT", "/users/\(subject)", headers: ["Content-Type": "application/json"],
            body: Array(try JSONSerialization.data(withJSONObject: claims)))
        guard result.status == 204 else { throw TestFailure("PUT /users/\(subject): \(result.status) \(result.body)") }
    }

    /// `payload`, `alg-none` or `off`: what the token endpoint does to its ID tokens.
    public func tamper(_ mode: String) throws {
        let result = try request("POST", "/_test/tamper", body: Array(mode.utf8))
        guard result.status == 204 else { throw TestFailure("tamper \(mode): \(result.status)") }
    }
}
