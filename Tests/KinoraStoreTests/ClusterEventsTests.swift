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

    func waitUntil(seconds: Double, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while !condition() {
            guard ContinuousClock.now < deadline else { throw TestFailure("not within \(seconds) s") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
