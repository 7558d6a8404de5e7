import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One connection held for `LISTEN`, on a thread of its own: it waits on the socket, hands
/// each notification's payload to `deliver`, and reconnects (every 2 s) when the server goes
/// away. Every ``pingInterval`` it notifies itself and times the echo: an echo later than
/// ``lagLimit`` (or a connection that is down) is reported by ``problem``, so /readyz takes a
/// node whose events lag out of the load balancer.
public final class PostgresListener: @unchecked Sendable {
    static let pingInterval: TimeInterval = 2
    static let lagLimit: TimeInterval = 5
    static let pingPrefix = "ping "
    /// What `pg_stat_activity` shows for a node's listening connection.
    public static let applicationName = "kinora-listen"

    private let database: PostgresDatabase
    private let channel: String
    private let deliver: @Sendable (String) -> Void
    private let token = UUID().uuidString
    // Guards the fields below.
    private let lock = NSLock()
    private var stopped = false
    private var connected = false
    private var pingSentAt: Date?
    private var lastError: String?
    private var listens = 0

    init(database: PostgresDatabase, channel: String, deliver: @escaping @Sendable (String) -> Void) {
        self.database = database
        self.channel = channel
        self.deliver = deliver
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "kinora-listen"
        thread.start()
    }

    func stop() { lock.withLock { stopped = true } }

    var problem: String? {
        lock.withLock {
            if !connected { return "the event connection to PostgreSQL is down" + (lastError.map { ": \($0)" } ?? "") }
            if let sent = pingSentAt, Date().timeIntervalSince(sent) > Self.lagLimit {
                return "events from PostgreSQL lag by more than \(Int(Self.lagLimit)) s"
            }
            return nil
        }
    }

    /// How many times a connection has started listening (1 until the first loss).
    var listenCount: Int { lock.withLock { listens } }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func run() {
        while !isStopped {
            do {
                let connection = try database.dedicatedConnection(applicationName: Self.applicationName)
                _ = try connection.run("LISTEN \(channel)", [])
                lock.withLock {
                    connected = true
                    lastError = nil
                    pingSentAt = nil
                    listens += 1
                }
                try listen(on: connection)
            } catch {
                lock.withLock {
                    connected = false
                    lastError = "\(error)"
                }
            }
            if !isStopped { Thread.sleep(forTimeInterval: 2) }
        }
    }

    private func listen(on connection: PostgresConnection) throws {
        var nextPing = Date()
        while !isStopped {
            if Date() >= nextPing {
                if lock.withLock({ pingSentAt }) == nil {
                    lock.withLock { pingSentAt = Date() }
                    _ = try connection.run("SELECT pg_notify(?, ?)", [.text(channel), .text(Self.pingPrefix + token)])
                }
                nextPing = Date().addingTimeInterval(Self.pingInterval)
            }
            var descriptor = pollfd(fd: connection.socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 250)
            if ready < 0 && errno != EINTR { throw SQLError.connection("poll: \(String(cString: strerror(errno)))") }
            for (_, payload) in try connection.notifications() {
                if payload.hasPrefix(Self.pingPrefix) {
                    if payload == Self.pingPrefix + token { lock.withLock { pingSentAt = nil } }
                    continue
                }
                deliver(payload)
            }
        }
    }
}
