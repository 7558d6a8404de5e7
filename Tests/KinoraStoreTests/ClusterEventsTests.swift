import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

@Suite struct ClusterEventsTests {
    @Test func onSQLiteAnEventReachesThisProcessAtOnce() throws {
        let database = try StoreBackend.sqlite.makeDatabase("events")
        let heard = Locked<[ClusterEvent]>([])
        database.events.subscribe { event in heard.change { $0.append(event) } }
        database.events.publish(.video("v1"))
        #expect(heard.value == [.video("v1")])
        #expect(database.events.problem == nil)
    }

    /// Two nodes are two database objects (two pools, two listeners) on one PostgreSQL database.
    @Test func onPostgreSQLAnEventFromOneNodeReachesTheOtherWithinASecond() async throws {
        let nodeA = try PostgresServer.makeKinoraDatabase("events")
        try nodeA.migrate()
        let nodeB = try PostgresServer.reopenKinoraDatabase(like: nodeA)
        // Arrival times are taken on the listener's own thread: a test process busy with other
        // suites may resume this task late (a CI run resumed it 90 s late), the listener not.
        let heard = Locked<[(ClusterEvent, Date)]>([])
        nodeB.events.subscribe { event in heard.change { $0.append((event, Date())) } }
        nodeB.events.start()
        defer { nodeB.events.stop() }
        #expect(nodeB.events.problem != nil, "not listening yet: /readyz must not claim otherwise")
        try await waitUntil(seconds: 30) { nodeB.events.problem == nil }

        let sent = Date()
        nodeA.events.publish(.video("v 2"))
        try await waitUntil(seconds: 30) { !heard.value.isEmpty }
        #expect(heard.value.map(\.0) == [ClusterEvent(kind: "video", subject: "v 2")])
        let latency = (heard.value.first?.1 ?? .distantFuture).timeIntervalSince(sent)
        #expect(latency < 1, "the event took \(latency) s")
    }

    /// The server drops the listening connection (a restart, a failover): the node says so
    /// (its /readyz fails) until it has listened again, and then hears events once more.
    @Test func aLostEventConnectionIsReportedAndComesBack() async throws {
        let nodeA = try PostgresServer.makeKinoraDatabase("relisten")
        try nodeA.migrate()
        let nodeB = try PostgresServer.reopenKinoraDatabase(like: nodeA)
        let heard = Locked<[ClusterEvent]>([])
        nodeB.events.subscribe { event in heard.change { $0.append(event) } }
        nodeB.events.start()
        defer { nodeB.events.stop() }
        try await waitUntil(seconds: 30) { nodeB.events.problem == nil }
        let before = nodeB.events.listenCount
        let killed = try nodeA.sql.read { db in
            try db.scalar(
                Int.self,
                "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = ?", [PostgresListener.applicationName])
        }
        #expect(killed == 1)
        // It listens again on a new connection (the loss itself is reported in between; a task
        // resumed late could miss that window, so the down state is checked below instead).
        try await waitUntil(seconds: 30) { nodeB.events.listenCount > before && nodeB.events.problem == nil }
        nodeA.events.publish(.video("after"))
        try await waitUntil(seconds: 30) { heard.value.contains(.video("after")) }
    }

    /// A node whose server cannot be reached says so for /readyz, with the reason.
    @Test func aListenerThatCannotConnectReportsTheEventConnectionDown() async throws {
        let port = try PostgresServer.freePort()
        let unreachable = KinoraDatabase(
            postgres: PostgresDatabase(url: "postgres://kinora@127.0.0.1:\(port)/none", size: 1, connectTimeout: 2), address: "unreachable")
        unreachable.events.start()
        defer { unreachable.events.stop() }
        try await waitUntil(seconds: 30) { unreachable.events.problem?.contains("cannot reach the database") == true }
        #expect(unreachable.events.problem?.hasPrefix("the event connection to PostgreSQL is down") == true, "\(unreachable.events.problem ?? "")")
        #expect(unreachable.events.listenCount == 0)
    }

    func waitUntil(seconds: Double, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while !condition() {
            guard ContinuousClock.now < deadline else { throw TestFailure("not within \(seconds) s") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
