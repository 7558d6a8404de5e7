import Foundation

/// Something one node changed that others hold in memory: a video's visibility or manifests
/// (their 1 s stream caches), and later notifications. Sent as `kind subject`.
public struct ClusterEvent: Sendable, Equatable {
    public var kind: String
    public var subject: String

    public init(kind: String, subject: String) {
        self.kind = kind
        self.subject = subject
    }

    /// A video's row or files changed: forget what is cached about it.
    public static func video(_ id: String) -> ClusterEvent { ClusterEvent(kind: "video", subject: id) }

    var payload: String { kind + " " + subject }

    init?(payload: String) {
        guard let space = payload.firstIndex(of: " ") else { return nil }
        kind = String(payload[..<space])
        subject = String(payload[payload.index(after: space)...])
    }
}

/// Events between the nodes sharing one database. On PostgreSQL they go through
/// `LISTEN/NOTIFY` (no broker to run: ``PostgresListener``); on SQLite there is one node, and
/// an event is handed to this process's subscribers directly. Every node hears its own events
/// too, so a subscriber has one path whichever node made the change.
///
/// ```swift
/// database.events.subscribe { event in if event.kind == "video" { cache.forget(event.subject) } }
/// database.events.publish(.video(id))
/// ```
public final class ClusterEvents: @unchecked Sendable {
    /// The PostgreSQL channel.
    static let channel = "kinora_events"

    private let lock = NSLock()
    private var handlers: [@Sendable (ClusterEvent) -> Void] = []
    private let postgres: PostgresDatabase?
    private var listener: PostgresListener?

    init(postgres: PostgresDatabase?) {
        self.postgres = postgres
    }

    public func subscribe(_ handler: @escaping @Sendable (ClusterEvent) -> Void) {
        lock.withLock { handlers.append(handler) }
    }

    /// Tells every node. A failure to notify is not the caller's failure: the caches it would
    /// clear expire within a second anyway.
    public func publish(_ event: ClusterEvent) {
        guard let postgres else { return deliver(event) }
        do {
            _ = try postgres.read { try $0.execute("SELECT pg_notify(?, ?)", [Self.channel, event.payload]) }
        } catch {
            deliver(event)
        }
    }

    /// Starts listening (PostgreSQL; nothing to do on SQLite). Idempotent.
    public func start() {
        guard let postgres else { return }
        lock.withLock {
            guard listener == nil else { return }
            let listener = PostgresListener(database: postgres, channel: Self.channel) { [weak self] payload in
                if let event = ClusterEvent(payload: payload) { self?.deliver(event) }
            }
            self.listener = listener
            listener.start()
        }
    }

    public func stop() {
        let current = lock.withLock { () -> PostgresListener? in
            defer { listener = nil }
            return listener
        }
        current?.stop()
    }

    /// How many times this node has started listening: it grows each time a lost connection
    /// is replaced (0 on SQLite, or before the first connection).
    public var listenCount: Int {
        lock.withLock { listener }?.listenCount ?? 0
    }

    /// Why events from other nodes may not arrive (for /readyz), nil when they do.
    public var problem: String? {
        lock.withLock { listener }?.problem
    }

    private func deliver(_ event: ClusterEvent) {
        for handler in lock.withLock({ handlers }) { handler(event) }
    }
}
