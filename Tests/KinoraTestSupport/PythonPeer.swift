import Foundation
import KinoraHost

/// A test peer written in Python (Tests/Fixtures/python), run with the tests' virtual
/// environment on a free loopback port: an OpenID provider, an SMTP server, a webhook
/// receiver. It prints its port first (a bare number or `{"port": N}`) and exits when its
/// standard input closes, so a test process that dies never leaves one running. `stop()`
/// kills it.
public final class PythonPeer: @unchecked Sendable {
    public let process = Process()
    public let script: String
    public private(set) var port = 0
    private let input: PrivatePipe? = try? PrivatePipe()
    private let lock = NSLock()
    private var output = ""
    /// Kept for the peer's life (a closed reading end breaks its logging).
    private var outputPipe: PrivatePipe?

    public init(script: String) {
        self.script = script
    }

    /// Everything the peer printed so far.
    public var log: String { lock.withLock { output } }

    /// Starts the peer and waits for its port; throws (never skips) when it cannot start.
    public func start(_ arguments: [String] = [], timeout: Duration = .seconds(60)) async throws {
        process.executableURL = URL(fileURLWithPath: try TestEnvironment.testPython())
        process.arguments = ["-W", "ignore", TestEnvironment.pythonFixture(script)] + arguments
        guard let input else { throw TestFailure("cannot make a pipe for \(script)") }
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
            for line in log.split(separator: "\n") {
                let text = line.trimmingCharacters(in: .whitespaces)
                if let port = Int(text) { return port }
                if let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], let port = object["port"] as? Int {
                    return port
                }
            }
            return process.isRunning ? nil : -1
        }
        guard let port, port > 0 else {
            stop()
            throw TestFailure("\(script) did not start:\n\(log)")
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

    deinit { stop() }
}
