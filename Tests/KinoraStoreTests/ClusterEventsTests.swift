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
        let heard = Locked<[ClusterEvent]>([])
        nodeB.events.subscribe { event in heard.change { $0.append(event) } }
        nodeB.events.start()
        defer { nodeB.events.stop() }
        #expect(nodeB.events.problem != nil, "not listening yet: /readyz must not claim otherwise")
        try await waitUntil(seconds: 10) { nodeB.events.problem == nil }

        let sent = ContinuousClock.now
        nodeA.events.publish(.video("v 2"))
        try await waitUntil(seconds: 1) { !heard.value.isEmpty }
        #expect(heard.value == [ClusterEvent(kind: "video", subject: "v 2")])
        #expect(ContinuousClock.now - sent < .seconds(1))
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
        try await waitUntil(seconds: 10) { nodeB.events.problem == nil }
        let killed = try nodeA.sql.read { db in
            try db.scalar(
                Int.self,
                "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = ?", [PostgresListener.applicationName])
        }
        #expect(killed == 1)
        try await waitUntil(seconds: 5) { nodeB.events.problem != nil }
        #expect(nodeB.events.problem?.contains("down") == true, "\(nodeB.events.problem ?? "")")
        try await waitUntil(seconds: 10) { nodeB.events.problem == nil }
        nodeA.events.publish(.video("after"))
        try await waitUntil(seconds: 1) { heard.value.contains(.video("after")) }
    }

    func waitUntil(seconds: Double, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while !condition() {
            guard ContinuousClock.now < deadline else { throw TestFailure("not within \(seconds) s") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
