import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

@Suite struct ModerationRepositoryTests {
    func setUp(_ backend: StoreBackend) throws -> (KinoraDatabase, [String]) {
        let database = try backend.makeDatabase("moderation")
        try database.migrate()
        let ids = ["ann", "ben", "cat", "dan"]
        for id in ids { try database.users.create(UserRecord(id: id, username: id + "-user", role: "viewer", passwordHash: "x")) }
        try TestVideos.insert(database, ids: ["v1"])
        return (database, ids)
    }

    @Test(arguments: StoreBackend.allCases)
    func signalsAndReportsJoinOneOpenItemPerTargetUntilDecided(_ backend: StoreBackend) throws {
        let (database, _) = try setUp(backend)
        let moderation = database.moderation
        let item = try moderation.flag(.video, "v1", signals: [ModerationSignal(kind: .classifier, source: "wordlist", label: "scam", score: 1)])
        let first = try moderation.report(reporterID: "ann", target: .video, targetID: "v1", reason: .spam, detail: "ads")
        #expect(first.itemID == item && first.reporters == 1)
        #expect(throws: DuplicateReport.self) { try moderation.report(reporterID: "ann", target: .video, targetID: "v1", reason: .hate, detail: "") }
        #expect(try moderation.report(reporterID: "ben", target: .video, targetID: "v1", reason: .spam, detail: "").reporters == 2)
        #expect(try moderation.report(reporterID: "cat", target: .video, targetID: "v1", reason: .violence, detail: "").reporters == 3)
        #expect(try moderation.recentReports(reporterID: "ann", since: Date().addingTimeInterval(-60)) == 1)

        let queued = try #require(try moderation.queue(limit: 10, cursor: nil).items.first)
        #expect(queued.id == item && queued.reportCounts == ["spam": 2, "violence": 1])
        #expect(queued.signals.map(\.kind) == [.classifier, .report, .report, .report])
        #expect(queued.signals.first?.score == 1 && queued.signals.first?.label == "scam")
        #expect(try moderation.hide(.video, "v1") && !(try moderation.hide(.video, "v1")), "hidden once")
        #expect(try moderation.isHidden(.video, "v1"))

        let decided = try #require(try moderation.decide(itemID: item, moderatorID: "dan", action: .remove, reason: "spam ring"))
        #expect(decided.state == "resolved" && !decided.hidden && decided.reportCounts.isEmpty, "the reports are resolved with it")
        #expect(try moderation.decide(itemID: item, moderatorID: "dan", action: .approve, reason: "again") == nil, "decided once")
        #expect(try moderation.queue(limit: 10, cursor: nil).items.isEmpty)
        #expect(try moderation.queue(state: "resolved", limit: 10, cursor: nil).items.map(\.id) == [item])
        // A new signal after the decision opens a new item; the reporter may report again.
        let again = try moderation.report(reporterID: "ann", target: .video, targetID: "v1", reason: .spam, detail: "")
        #expect(again.itemID != item && again.reporters == 1)

        let audit = try moderation.audit(limit: 10, cursor: nil).items
        #expect(audit.map(\.action) == [.remove] && audit.first?.moderatorID == "dan" && audit.first?.reason == "spam ring")
    }

    @Test(arguments: StoreBackend.allCases)
    func pagesOfTheQueueAndTheAuditFollowTheirCursors(_ backend: StoreBackend) throws {
        let (database, _) = try setUp(backend)
        let start = Date()
        for (n, target) in ["ann", "ben", "cat", "dan"].enumerated() {
            try database.moderation.flag(.user, target, signals: [], now: start.addingTimeInterval(Double(n)))
        }
        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = try database.moderation.queue(limit: 3, cursor: cursor)
            seen += page.items.map(\.targetID)
            cursor = page.nextCursor
        } while cursor != nil
        #expect(seen == ["ann", "ben", "cat", "dan"], "least recently flagged first, each once")
        for (n, target) in ["ann", "ben", "cat", "dan"].enumerated() {
            try database.moderation.record(moderatorID: nil, target: .user, targetID: target, action: .warn, reason: "r\(n)", now: start.addingTimeInterval(Double(n)))
        }
        let first = try database.moderation.audit(limit: 3, cursor: nil)
        let rest = try database.moderation.audit(limit: 3, cursor: first.nextCursor)
        #expect((first.items + rest.items).map(\.reason) == ["r3", "r2", "r1", "r0"])
    }

    @Test(arguments: StoreBackend.allCases)
    func suspensionsEndAndBansStayUntilLifted(_ backend: StoreBackend) throws {
        let (database, _) = try setUp(backend)
        let now = Date()
        #expect(try database.moderation.setAccountRestriction(userID: "ann", suspendedUntil: now.addingTimeInterval(3600), banned: false))
        #expect(try database.moderation.restriction(userID: "ann", now: now).suspendedUntil != nil)
        #expect(try database.moderation.restriction(userID: "ann", now: now.addingTimeInterval(7200)).suspendedUntil == nil, "over")
        #expect(try database.moderation.setAccountRestriction(userID: "ben", suspendedUntil: nil, banned: true))
        #expect(try database.moderation.restriction(userID: "ben").banned)
        #expect(try database.moderation.setAccountRestriction(userID: "ben", suspendedUntil: nil, banned: false))
        #expect(!(try database.moderation.restriction(userID: "ben").banned))
    }
}
