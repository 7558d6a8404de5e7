import Foundation

/// The release `kinora` binary beside this benchmark, started and stopped like an operator would.
struct BenchDaemon {
    static var executable: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (exe as NSString).deletingLastPathComponent + "/kinora"
    }

    let process = Process()
    let port: Int

    /// `quiet`: warnings only, no access log line per request (the peer nginx runs with
    /// `access_log off` too).
    /// `config`: more kinora.toml text (with `quiet`), such as limits a benchmark raises.
    init(dataDir: String, quiet: Bool = false, config extra: String = "", shareDir: String? = nil) throws {
        port = try Self.freePort()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["serve", "--data-dir", dataDir, "--listen", "127.0.0.1:\(port)"] + (shareDir.map { ["--share-dir", $0] } ?? [])
        if quiet {
            let config = (dataDir as NSString).deletingLastPathComponent + "/quiet.toml"
            try? FileManager.default.createDirectory(atPath: (dataDir as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try ("[log]\nlevel = \"warning\"\n" + extra).write(toFile: config, atomically: true, encoding: .utf8)
            process.arguments? += ["--config", config]
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
    }

    /// Starts the process and polls /readyz every millisecond; returns the time to the first 200.
    func startAndWaitReady(timeout: Double = 20) throws -> Double {
        let started = DispatchTime.now()
        try process.run()
        while true {
            if Self.status(port: port, path: "/readyz") == 200 {
                return Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
            }
            guard process.isRunning, Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9 < timeout else {
                throw BenchError("kinora did not become ready")
            }
            usleep(1000)
        }
    }

    func stop() {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    /// Adds an account with `kinora user add` (the password on stdin), as an operator does,
    /// signs it in, and returns its access token.
    func account(_ username: String, role: String, dataDir: String) throws -> String {
        let password = "\(username) password 1"
        let add = Process()
        add.executableURL = URL(fileURLWithPath: Self.executable)
        add.arguments = ["user", "add", username, "--role", role, "--password-stdin", "--data-dir", dataDir]
        let input = Pipe()
        add.standardInput = input
        add.standardOutput = FileHandle.nullDevice
        try add.run()
        input.fileHandleForWriting.write(Data((password + "\n").utf8))
        try input.fileHandleForWriting.close()
        add.waitUntilExit()
        guard add.terminationStatus == 0 else { throw BenchError("kinora user add \(username) exited with \(add.terminationStatus)") }
        let login = try capture(
            "/usr/bin/curl",
            [
                "-sf", "-H", "Content-Type: application/json", "-d", #"{"username":"\#(username)","password":"\#(password)"}"#,
                "http://127.0.0.1:\(port)/api/v1/auth/login",
            ])
        guard let token = (try JSONSerialization.jsonObject(with: Data(login.utf8)) as? [String: Any])?["access_token"] as? String else {
            throw BenchError("login of \(username) failed: \(login)")
        }
        return token
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw BenchError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The HTTP status of GET path, or 0 when nothing answers yet.
    static func status(port: Int, path: String) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return 0 }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard send(fd, request, request.count, 0) == request.count else { return 0 }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 12 else { return 0 }
        return Int(String(decoding: buffer[9..<12], as: UTF8.self)) ?? 0
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

func formatted(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
