import Foundation
import KinoraHost

/// Python's `http.server` serving a folder on an ephemeral loopback port: a plain HTTP peer
/// (no gzip, no Range) for checkers that must see how files travel. The test stops it.
public final class StaticHTTPServer: @unchecked Sendable {
    // `output` is appended from the pipe's reader thread under `lock`.
    private let process = Process()
    private let lock = NSLock()
    private var output = ""
    /// Kept for the server's life: with its reading end closed, the server's log line for a
    /// request fails with a broken pipe and the request goes unanswered.
    private var outputPipe: PrivatePipe?
    public private(set) var port = 0

    public var base: String { "http://127.0.0.1:\(port)" }

    public init(root: String, timeout: Duration = .seconds(10)) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", root]
        let pipe = try PrivatePipe()
        outputPipe = pipe
        process.standardOutput = pipe.fileHandleForWriting
        process.standardError = pipe.fileHandleForWriting
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.output += String(decoding: data, as: UTF8.self) }
        }
        try process.run(closingChildEndsOf: pipe)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline && process.isRunning {
            let text = lock.withLock { output }
            if let range = text.range(of: "port "), let port = Int(text[range.upperBound...].prefix { $0.isNumber }) {
                self.port = port
                return
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop()
        throw TestFailure("python3 -m http.server did not start:\n\(lock.withLock { output })")
    }

    /// SIGKILL, not SIGTERM: the child inherits the signal mask of the thread that spawned it,
    /// and a dispatch worker thread blocks SIGTERM, so `terminate()` left it running and
    /// `waitUntilExit()` waited for ever (it hung a CI run). The server keeps no state.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        _ = process.waitForExit()
    }

    deinit { stop() }
}
