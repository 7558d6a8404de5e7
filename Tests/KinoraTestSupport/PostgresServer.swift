import Foundation
import KinoraStore

#if canImport(Glibc)
import Glibc
#endif

/// A real PostgreSQL server from Debian's `postgresql` package, started once per test process
/// on a loopback port in a temporary folder (`initdb` + `pg_ctl`, about 3 s), stopped when the
/// process exits. Each test takes a fresh database of its own (``makeDatabase(_:)``), so tests
/// run in parallel without seeing each other's rows. Run as root (CI), the server runs as the
/// `postgres` user, since PostgreSQL refuses to run as root.
///
/// ```swift
/// let database = try PostgresServer.makeKinoraDatabase("settings")
/// try database.migrate()
/// ```
public final class PostgresServer: @unchecked Sendable {
    public let port: Int
    let folder: String
    let binaries: String
    private let lock = NSLock()
    private var databases = 0

    /// The shared server, started on first use; a failure to start is every caller's failure.
    public static func shared() throws -> PostgresServer {
        try started.get()
    }

    private static let started: Result<PostgresServer, any Error> = Result {
        let server = try PostgresServer()
        stopCommand = server.stopArguments
        leftFolder = server.folder
        atexit { PostgresServer.stopAtExit() }
        return server
    }

    nonisolated(unsafe) private static var stopCommand: [String]?
    nonisolated(unsafe) private static var leftFolder: String?

    private static func stopAtExit() {
        guard let command = stopCommand else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
        _ = process.waitForExit()
        if let leftFolder { try? FileManager.default.removeItem(atPath: leftFolder) }
    }

    private init() throws {
        guard let bin = Self.findBinaries() else {
            throw TestFailure("PostgreSQL's server programs are missing (initdb, pg_ctl): install Debian's postgresql package (.ci/setup does)")
        }
        binaries = bin
        folder = try TestEnvironment.makeTemporaryDirectory("postgres")
        if getuid() == 0 {
            guard let user = getpwnam("postgres") else { throw TestFailure("running as root, but there is no postgres user to run the server as") }
            chown(folder, user.pointee.pw_uid, user.pointee.pw_gid)
        }
        port = try Self.freePort()
        let initdb = try run(
            [binaries + "/initdb", "-D", folder + "/data", "-U", "kinora", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        guard initdb.status == 0 else { throw TestFailure("initdb failed: \(initdb.output)") }
        let settings = [
            "-p \(port)", "-k \(folder)", "-c listen_addresses=127.0.0.1", "-c fsync=off", "-c synchronous_commit=off",
            "-c full_page_writes=off", "-c max_connections=200",
        ].joined(separator: " ")
        let start = try run([binaries + "/pg_ctl", "-D", folder + "/data", "-o", settings, "-l", folder + "/server.log", "-w", "-t", "60", "start"])
        guard start.status == 0 else {
            let log = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? ""
            throw TestFailure("pg_ctl could not start PostgreSQL on port \(port): \(start.output)\n\(log)")
        }
    }

    var stopArguments: [String] {
        let stop = [binaries + "/pg_ctl", "-D", folder + "/data", "-m", "immediate", "-w", "stop"]
        return getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] + stop : stop
    }

    /// `postgres://kinora@127.0.0.1:PORT/NAME`.
    public func url(_ database: String) -> String {
        "postgres://kinora@127.0.0.1:\(port)/\(database)"
    }

    /// A new, empty database; returns its URL.
    public func makeDatabase(_ label: String) throws -> String {
        let name = lock.withLock {
            databases += 1
            return "t_\(label.lowercased().filter { $0.isLetter || $0.isNumber })_\(getpid())_\(databases)"
        }
        let admin = PostgresDatabase(url: url("postgres"), size: 1)
        try admin.runScript("CREATE DATABASE \(name)")
        return url(name)
    }

    /// A migrated-on-demand ``KinoraDatabase`` on a new database of the shared server.
    public static func makeKinoraDatabase(_ label: String) throws -> KinoraDatabase {
        let server = try shared()
        let url = try server.makeDatabase(label)
        return KinoraDatabase(postgres: PostgresDatabase(url: url, size: 4), address: url)
    }

    private func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let command = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] + arguments : arguments
        return try TestEnvironment.run(command[0], Array(command.dropFirst()))
    }

    static func findBinaries() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
        return versions.map { "\(root)/\($0)/bin" }.first { FileManager.default.isExecutableFile(atPath: $0 + "/pg_ctl") }
    }

    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw TestFailure("bind: \(errno)") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
