import Foundation
import KinoraHost

/// The real `kinora` executable, started on an ephemeral loopback port with its own data
/// folder, and stopped (SIGTERM) by the test that started it.
public final class DaemonProcess: @unchecked Sendable {
    // `output` is appended from the pipe's reader thread under `lock`.
    public let process = Process()
    public let dataDir: String
    public private(set) var port = 0
    private let lock = NSLock()
    private var output = ""
    private let outputPipe: PrivatePipe

    /// `executable`: another copy of `kinora` (a test that puts its own `kinora-media` beside
    /// it). `fileLimit`: the daemon runs with `ulimit -n` set to it (through /bin/sh, which execs
    /// the daemon: the process id stays the daemon's).
    public init(
        dataDir: String, arguments: [String] = [], environment: [String: String] = [:],
        executable: String = TestEnvironment.kinoraExecutable, fileLimit: Int? = nil
    ) throws {
        self.dataDir = dataDir
        let serve = ["serve", "--data-dir", dataDir, "--listen", "127.0.0.1:0"] + arguments
        if let fileLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(fileLimit) && exec \"$0\" \"$@\"", executable] + serve
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = serve
        }
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        let pipe = try PrivatePipe()
        outputPipe = pipe
        process.standardOutput = pipe.fileHandleForWriting
        process.standardError = pipe.fileHandleForWriting
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.output += String(decoding: data, as: UTF8.self) }
        }
    }

    public var log: String { lock.withLock { output } }

    /// Starts the daemon and waits until it logs its listening address.
    public func start(timeout: Duration = .seconds(20)) async throws {
        try process.run(closingChildEndsOf: outputPipe)
        enum Outcome: Sendable { case listening(Int), exited }
        let outcome = await Self.poll(timeout: timeout) { [self] () -> Outcome? in
            if let range = log.range(of: "listening on http://127.0.0.1:"),
                let port = Int(log[range.upperBound...].prefix { $0.isNumber })
            {
                return .listening(port)
            }
            return process.isRunning ? nil : .exited
        }
        switch outcome {
        case .listening(let port):
            self.port = port
        case .exited:
            throw TestFailure("kinora exited with \(process.terminationStatus):\n\(log)")
        case nil:
            process.terminate()
            throw TestFailure("kinora did not start within \(timeout):\n\(log)")
        }
    }

    /// Sends SIGTERM and waits for the exit status.
    @discardableResult
    public func stop(timeout: Duration = .seconds(20)) async throws -> Int32 {
        if !process.hasExited { kill(process.processIdentifier, SIGTERM) }
        let stopped = await Self.poll(timeout: timeout) { [self] in process.hasExited ? true : nil }
        guard stopped == true else {
            kill(process.processIdentifier, SIGKILL)
            _ = process.waitForExit()
            throw TestFailure("kinora did not stop within \(timeout) of SIGTERM:\n\(log)")
        }
        return process.waitForExit()
    }

    /// Calls `check` every 20 ms on a thread of its own until it answers or `timeout` passes.
    /// The deadline is kept off Swift's cooperative pool: on a 2-core machine the blocking
    /// calls of tests running in parallel can fill that pool for seconds, which must delay a
    /// test, never fail it.
    public static func poll<T: Sendable>(timeout: Duration, _ check: @escaping @Sendable () -> T?) async -> T? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let deadline = ContinuousClock.now + timeout
                while ContinuousClock.now < deadline {
                    if let value = check() {
                        continuation.resume(returning: value)
                        return
                    }
                    usleep(20_000)
                }
                continuation.resume(returning: check())
            }
        }
    }

    /// `kill -9`: no shutdown at all, as a power cut or an OOM kill would leave things.
    public func killHard() {
        kill(process.processIdentifier, SIGKILL)
        _ = process.waitForExit()
    }

    public func get(_ path: String, headers: [String: String] = [:]) throws -> HTTPResult {
        try HTTPResult.fetch(port: port, method: "GET", path: path, headers: headers)
    }

    public func request(_ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8] = []) throws -> HTTPResult {
        try HTTPResult.fetch(port: port, method: method, path: path, headers: headers, body: body)
    }

    /// Uploads `data` through `POST /api/v1/videos` as the admin; returns the new video's id.
    public func uploadVideo(_ data: [UInt8], filename: String = "clip.mp4", fields: [String: String] = [:], token: String? = nil) throws -> String {
        var form = MultipartBody()
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) { form.field(name, value) }
        form.file("file", filename: filename, data: data)
        let created = try request(
            "POST", "/api/v1/videos",
            headers: [
                "Content-Type": form.contentType, "Authorization": "Bearer \(token ?? adminToken)",
            ], body: form.finished())
        guard created.status == 201, let id = (created.json as? [String: Any])?["id"] as? String else {
            throw TestFailure("upload failed: \(created.status) \(created.body)")
        }
        return id
    }

    /// The bootstrap admin token the daemon wrote into its data folder.
    public var adminToken: String {
        (try? String(contentsOfFile: dataDir + "/admin-token", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    deinit {
        if !process.hasExited { kill(process.processIdentifier, SIGKILL) }
    }
}

/// A response from the minimal HTTP/1.1 client the end-to-end tests use.
public struct HTTPResult: Sendable {
    public var status: Int
    public var headers: [String: String]  // lower-cased names
    public var body: String
    /// The raw body bytes (after de-chunking only for text).
    public var bytes: [UInt8] = []

    public var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }

    /// One request on a new loopback connection, `Connection: close`.
    public static func fetch(port: Int, method: String, path: String, headers: [String: String] = [:], body: [UInt8] = []) throws -> HTTPResult {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard RawConnection.connectLoopback(fd, port: port) == 0 else { throw TestFailure("connect to 127.0.0.1:\(port) failed: errno \(errno)") }
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" || method == "PATCH" { request += "Content-Length: \(body.count)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8) + body
        var sent = 0
        while sent < bytes.count {
            // An answer before the whole body went out (a 413 refused mid-stream): stop
            // sending and read it. The server may stop reading without closing, and a send
            // into a full socket buffer would then wait forever.
            var ready = pollfd(fd: fd, events: Int16(POLLIN | POLLOUT), revents: 0)
            if poll(&ready, 1, 10_000) > 0, ready.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { break }
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, min($0.count, 1 << 20), Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { continue }
            // The server may answer and close early (413): stop sending, read its answer.
            if n <= 0 { break }
            sent += n
        }
        var response = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            response.append(contentsOf: buffer[0..<n])
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw TestFailure("malformed response: \(text.prefix(200))") }
        let head = text[..<split.lowerBound].split(separator: "\r\n")
        let statusLine = head.first?.split(separator: " ") ?? []
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw TestFailure("bad status line") }
        var fields: [String: String] = [:]
        for line in head.dropFirst() {
            if let colon = line.firstIndex(of: ":") {
                fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        var body = String(text[split.upperBound...])
        if fields["transfer-encoding"] == "chunked" { body = dechunk(body) }
        let headerEnd = (response.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound) ?? response.count
        return HTTPResult(status: status, headers: fields, body: body, bytes: Array(response[headerEnd...]))
    }

    /// Decodes a chunked body, byte-wise ("\r\n" is one Character in Swift strings).
    static func dechunk(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var result: [UInt8] = []
        var index = 0
        while let lineEnd = bytes[index...].firstRange(of: [13, 10]),
            let size = Int(String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self), radix: 16), size > 0,
            lineEnd.upperBound + size <= bytes.count
        {
            result += bytes[lineEnd.upperBound..<(lineEnd.upperBound + size)]
            index = lineEnd.upperBound + size + 2
            guard index < bytes.count else { break }
        }
        return String(decoding: result, as: UTF8.self)
    }

}

/// A multipart/form-data body, as a browser form would send it.
public struct MultipartBody {
    public let boundary = "kinora-test-boundary-7d1a"
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func field(_ name: String, _ value: String) {
        bytes += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
    }

    public mutating func file(_ name: String, filename: String, contentType: String = "application/octet-stream", data: [UInt8]) {
        bytes += Array(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(contentType)\r\n\r\n".utf8
        )
        bytes += data
        bytes += Array("\r\n".utf8)
    }

    public func finished() -> [UInt8] { bytes + Array("--\(boundary)--\r\n".utf8) }
    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }
}
