import KinoraStore
import ServiceLifecycle

/// Listens for other nodes' events while the daemon runs (PostgreSQL; nothing on SQLite).
struct ClusterEventsService: Service {
    let events: ClusterEvents

    func run() async throws {
        events.start()
        try? await gracefulShutdown()
        events.stop()
    }
}
