import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

@Suite struct SessionRepositoryTests {
    func database(_ backend: StoreBackend) throws -> KinoraDatabase {
        let database = try backend.makeDatabase("sessions")
        try database.migrate()
        try database.users.create(UserRecord(id: "u1", username: "dave", role: "viewer", passwordHash: "$2b$12$notarealhash"))
        return database
    }


    @Test(arguments: StoreBackend.allCases)
    func idleAndAbsoluteExpiryEndSessionsAndLastSeenIsWrittenAtMostOnceAMinute(_ backend: StoreBackend) throws {
        let database = try database(backend)
        let sessions = database.sessions
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        try sessions.create(SessionRecord(tokenHash: "h1", userID: "u1", csrfToken: "c1", expiresAt: start.addingTimeInterval(3600), now: start))

        // 30 s later: valid, last-seen untouched; 90 s later: valid, last-seen moves.
        #expect(try sessions.lookup(hash: "h1", idle: 600, now: start.addingTimeInterval(30))?.session.lastSeenAt == start)
        #expect(try sessions.lookup(hash: "h1", idle: 600, now: start.addingTimeInterval(90))?.user.username == "dave")
        #expect(try sessions.lookup(hash: "h1", idle: 600, now: start.addingTimeInterval(91))?.session.lastSeenAt == start.addingTimeInterval(90))
        // Idle for 600 s after the last touch: gone, and the row with it.
        #expect(try sessions.lookup(hash: "h1", idle: 600, now: start.addingTimeInterval(90 + 600)) == nil)
        #expect(try sessions.lookup(hash: "h1", idle: 600_000, now: start.addingTimeInterval(91)) == nil)

        // Absolute expiry wins over recent use.
        try sessions.create(SessionRecord(tokenHash: "h2", userID: "u1", csrfToken: "c2", expiresAt: start.addingTimeInterval(100), now: start))
        #expect(try sessions.lookup(hash: "h2", idle: 600, now: start.addingTimeInterval(99)) != nil)
        #expect(try sessions.lookup(hash: "h2", idle: 600, now: start.addingTimeInterval(100)) == nil)
        #expect(try sessions.lookup(hash: "unknown", idle: 600) == nil)
    }

    @Test(arguments: StoreBackend.allCases)
    func sessionsAreListedNewestFirstAndEndedOneByOneOnlyByTheirOwner(_ backend: StoreBackend) throws {
        let database = try database(backend)
        try database.users.create(UserRecord(id: "u2", username: "erin", role: "viewer", passwordHash: "$2b$12$notarealhash"))
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let older = String(repeating: "a", count: 64), newer = String(repeating: "b", count: 64)
        try database.sessions.create(
            SessionRecord(tokenHash: older, userID: "u1", csrfToken: "c", expiresAt: start.addingTimeInterval(3600), now: start))
        try database.sessions.create(
            SessionRecord(
                tokenHash: newer, userID: "u1", csrfToken: "c", expiresAt: start.addingTimeInterval(3600),
                now: start.addingTimeInterval(10)))
        let listed = try database.sessions.list(userID: "u1")
        #expect(listed.map(\.publicID) == [String(repeating: "b", count: 16), String(repeating: "a", count: 16)])
        #expect(try database.sessions.list(userID: "u2").isEmpty)

        // Another account cannot end it, nor can a malformed or a whole-hash id.
        #expect(try !database.sessions.delete(publicID: listed[1].publicID, userID: "u2"))
        #expect(try !database.sessions.delete(publicID: "%", userID: "u1"))
        #expect(try !database.sessions.delete(publicID: older, userID: "u1"))
        #expect(try database.sessions.delete(publicID: listed[1].publicID.uppercased(), userID: "u1"))
        #expect(try database.sessions.list(userID: "u1").map(\.tokenHash) == [newer])
    }

    @Test(arguments: StoreBackend.allCases)
    func theBrowsersUserAgentIsKeptCutToItsLimit(_ backend: StoreBackend) throws {
        let database = try database(backend)
        let expires = Date().addingTimeInterval(3600)
        try database.sessions.create(
            SessionRecord(tokenHash: "h1", userID: "u1", csrfToken: "c", expiresAt: expires, userAgent: "Mozilla/5.0 (X11; Linux x86_64)"))
        try database.sessions.create(
            SessionRecord(
                tokenHash: "h2", userID: "u1", csrfToken: "c", expiresAt: expires,
                userAgent: String(repeating: "x", count: 2000)))
        try database.sessions.create(SessionRecord(tokenHash: "h3", userID: "u1", csrfToken: "c", expiresAt: expires))
        let agents = Dictionary(uniqueKeysWithValues: try database.sessions.list(userID: "u1").map { ($0.tokenHash, $0.userAgent) })
        #expect(agents["h1"] == "Mozilla/5.0 (X11; Linux x86_64)")
        #expect(agents["h2"]??.count == SessionRecord.userAgentLimit)
        #expect(agents["h3"] == .some(nil))
    }

    @Test(arguments: StoreBackend.allCases)
    func disablingTheAccountAndLogoutEverywhereEndSessions(_ backend: StoreBackend) throws {
        let database = try database(backend)
        let later = Date().addingTimeInterval(3600)
        for hash in ["a", "b"] { try database.sessions.create(SessionRecord(tokenHash: hash, userID: "u1", csrfToken: "c", expiresAt: later)) }
        try database.users.setDisabled(id: "u1", true)
        #expect(try database.sessions.lookup(hash: "a", idle: 600) == nil)
        try database.users.setDisabled(id: "u1", false)
        #expect(try database.sessions.lookup(hash: "b", idle: 600) == nil, "re-enabling does not bring sessions back")

        for hash in ["c", "d"] { try database.sessions.create(SessionRecord(tokenHash: hash, userID: "u1", csrfToken: "c", expiresAt: later)) }
        #expect(try database.sessions.deleteAll(userID: "u1") == 2)
        #expect(try database.sessions.lookup(hash: "c", idle: 600) == nil)
    }

    @Test(arguments: StoreBackend.allCases)
    func totpStepsAreUsedOnceAndRecoveryCodesOnce(_ backend: StoreBackend) throws {
        let database = try database(backend)
        let totp = database.totp
        #expect(try totp.startEnrolment(TOTPRecord(userID: "u1", sealedSecret: Data([1, 2, 3]))))
        #expect(try !totp.isEnabled(userID: "u1"))
        #expect(try !totp.useStep(userID: "u1", step: 10), "a pending secret does not log in")
        #expect(try totp.enable(userID: "u1", step: 10, recoveryCodeHashes: ["r1", "r2"]))
        #expect(try !totp.enable(userID: "u1", step: 11, recoveryCodeHashes: []), "enabling twice is refused")
        #expect(try !totp.startEnrolment(TOTPRecord(userID: "u1", sealedSecret: Data([9]))), "an enabled secret is not replaced")
        #expect(try totp.find(userID: "u1")?.sealedSecret == Data([1, 2, 3]))

        #expect(try !totp.useStep(userID: "u1", step: 10), "the confirming code's step is used")
        #expect(try totp.useStep(userID: "u1", step: 11))
        #expect(try !totp.useStep(userID: "u1", step: 11))
        #expect(try !totp.useStep(userID: "u1", step: 9))

        #expect(try totp.useRecoveryCode(userID: "u1", hash: "r1"))
        #expect(try !totp.useRecoveryCode(userID: "u1", hash: "r1"))
        #expect(try totp.recoveryCodesLeft(userID: "u1") == 1)
        #expect(try totp.replaceRecoveryCodes(userID: "u1", hashes: ["r3", "r4", "r5"]))
        #expect(try !totp.useRecoveryCode(userID: "u1", hash: "r2"), "regenerating drops the old codes")
        #expect(try totp.recoveryCodesLeft(userID: "u1") == 3)

        #expect(try totp.disable(userID: "u1"))
        #expect(try !totp.disable(userID: "u1"))
        #expect(try totp.recoveryCodesLeft(userID: "u1") == 0)
        #expect(try !totp.replaceRecoveryCodes(userID: "u1", hashes: ["r6"]))
    }
}
