import Foundation
import KinoraHost

/// A real OpenID Connect provider (PyPI `oidc-provider-mock`, through
/// Tests/Fixtures/python/oidc_provider.py) on a free loopback port. `stop()` kills it; so does
/// closing its standard input, which happens when the test process dies.
public final class OIDCProviderProcess: @unchecked Sendable {
    public let process = Process()
    public private(set) var port = 0
    private let input: PrivatePipe? = try? PrivatePipe()
    private let lock = NSLock()
    private var output = ""
    /// Kept for the provider's life (a closed reading end breaks its logging).
    private var outputPipe: PrivatePipe?

    public init() {}

    public var issuer: String { "http://127.0.0.1:\(port)" }
    public var log: String { lock.withLock { output } }

    /// Starts the provider and waits for the port it prints; throws (never skips) when it
    /// cannot start.
    public func start(timeout: Duration = .seconds(60)) async throws {
        process.executableURL = URL(fileURLWithPath: try TestEnvironment.testPython())
        process.arguments = ["-W", "ignore", TestEnvironment.pythonFixture("oidc_provider.py")]
        guard let input else { throw TestFailure("cannot make a pipe for the OIDC provider") }
        let pipe = try PrivatePipe()
        outputPipe = pipe
        process.standardInput = input.fileHandleForReading
        process.standardOutput = pipe.fileHandleForWriting
        process.standardError = pipe.fileHandleForWriting
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.output += String(decoding: data, as: UTF8.self) }
        }
        try process.run(closingChildEndsOf: input, pipe)
        let port = await DaemonProcess.poll(timeout: timeout) { [self] () -> Int? in
            let lines = log.split(separator: "\n")
            if let port = lines.lazy.compactMap({ Int($0.trimmingCharacters(in: .whitespaces)) }).first { return port }
            return process.isRunning ? nil : -1
        }
        guard let port, port > 0 else {
            stop()
            throw TestFailure("the OIDC provider did not start:\n\(log)")
        }
        self.port = port
    }

    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            _ = process.waitForExit()
        }
    }

    public func request(_ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8] = []) throws -> HTTPResult {
        try HTTPResult.fetch(port: port, method: method, path: path, headers: headers, body: body)
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

    deinit { stop() }
}
