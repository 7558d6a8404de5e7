import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

/// Invitations, password resets, API keys and the admin side of the users table.
@Suite struct AccountAdminRepositoryTests {
    func user(_ id: String, _ name: String, role: String = "viewer", now: Date = Date()) -> UserRecord {
        UserRecord(id: id, username: name, role: role, passwordHash: "$2b$12$notarealhash", now: now)
    }

    @Test(arguments: StoreBackend.allCases)
    func concurrentSignUpsNeverOveruseAnInvitation(_ backend: StoreBackend) async throws {
        let database = try backend.makeDatabase("accounts")
        try database.migrate()
        try database.invitations.create(
            InvitationRecord(
                id: "i1", codeHash: "code", role: "creator", maxUses: 3, createdBy: nil,
                expiresAt: Date().addingTimeInterval(3600)))
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for n in 0..<12 {
                group.addTask {
                    (try? database.invitations.signUp(self.user("u\(n)", "user\(n)"), invitationHash: "code")) != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 3)
        #expect(try database.invitations.find(id: "i1")?.uses == 3)
        #expect(try database.users.count(role: "creator") == 3, "the invitation's role replaces the default")
        #expect(try database.users.count() == 3)
    }

    @Test(arguments: StoreBackend.allCases)
    func aTakenNameKeepsTheUseAndExpiredOrUnknownCodesAreRefused(_ backend: StoreBackend) throws {
        let database = try backend.makeDatabase("accounts")
        try database.migrate()
        let invitations = database.invitations
        try invitations.create(
            InvitationRecord(
                id: "i1", codeHash: "live", role: "viewer", maxUses: 1, createdBy: nil,
                expiresAt: Date().addingTimeInterval(3600)))
        try invitations.create(
            InvitationRecord(
                id: "i2", codeHash: "old", role: "viewer", maxUses: 5, createdBy: nil,
                expiresAt: Date().addingTimeInterval(-1)))
        try database.users.create(user("u0", "taken"))
        #expect(throws: UsernameTaken.self) { try invitations.signUp(user("u1", "TAKEN"), invitationHash: "live") }
        #expect(try invitations.find(id: "i1")?.uses == 0, "a failed sign-up gives the use back")
        #expect(throws: InvitationUnusable.self) { try invitations.signUp(user("u2", "late"), invitationHash: "old") }
        #expect(throws: InvitationUnusable.self) { try invitations.signUp(user("u3", "guess"), invitationHash: "nope") }
        #expect(try invitations.signUp(user("u4", "fine", role: "creator"), invitationHash: "live").role == "viewer")
        #expect(throws: InvitationUnusable.self) { try invitations.signUp(user("u5", "second"), invitationHash: "live") }
        #expect(try invitations.signUp(user("u6", "open"), invitationHash: nil).role == "viewer")
        #expect(try invitations.delete(id: "i1") && !(try invitations.delete(id: "i1")))
        #expect(try invitations.list().map(\.id) == ["i2"])
    }

    @Test(arguments: StoreBackend.allCases)
    func listingPagesByCreationAndFiltersByRole(_ backend: StoreBackend) throws {
        let database = try backend.makeDatabase("accounts")
        try database.migrate()
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        for n in 0..<5 {
            try database.users.create(user("u\(n)", "name\(n)", role: n % 2 == 0 ? "viewer" : "creator", now: start.addingTimeInterval(Double(n))))
        }
        let first = try database.users.list(limit: 2)
        #expect(first.users.map(\.id) == ["u0", "u1"])
        let cursor = try #require(first.nextCursor)
        // A newer account does not shift the pages already handed out.
        try database.users.create(user("u9", "late", now: start.addingTimeInterval(100)))
        let second = try database.users.list(limit: 2, cursor: cursor)
        #expect(second.users.map(\.id) == ["u2", "u3"])
        let rest = try database.users.list(limit: 10, cursor: try #require(second.nextCursor))
        #expect(rest.users.map(\.id) == ["u4", "u9"] && rest.nextCursor == nil)
        #expect(try database.users.list(role: "creator", limit: 10).users.map(\.id) == ["u1", "u3"])
        #expect(throws: InvalidCursor.self) { try database.users.list(limit: 2, cursor: "garbage") }
    }

    @Test(arguments: StoreBackend.allCases)
    func theLastEnabledAdminCannotBeDemotedOrDisabled(_ backend: StoreBackend) throws {
        let database = try backend.makeDatabase("accounts")
        try database.migrate()
        let users = database.users
        #expect(try !users.hasEnabledAdmin())
        try users.create(user("a1", "first", role: "admin"))
        try users.create(user("a2", "second", role: "admin"))
        #expect(try users.hasEnabledAdmin())
        try users.addRefreshToken(RefreshTokenRecord(tokenHash: "t2", userID: "a2", familyID: "f", expiresAt: Date().addingTimeInterval(60)))

        #expect(try users.update(id: "a2", UserChanges(disabled: true))?.disabled == true)
        #expect(try users.refreshToken(hash: "t2")?.revoked == true, "disabling revokes refresh tokens")
        #expect(throws: LastAdmin.self) { try users.update(id: "a1", UserChanges(role: "viewer")) }
        #expect(throws: LastAdmin.self) { try users.update(id: "a1", UserChanges(disabled: true)) }
        #expect(try users.find(id: "a1")?.role == "admin", "a refused change changes nothing")
        // A disabled admin may be demoted: it does not count.
        #expect(try users.update(id: "a2", UserChanges(role: "creator", disabled: false, displayName: "Two"))?.displayName == "Two")
        #expect(try users.update(id: "nobody", UserChanges(role: "viewer")) == nil)
    }

    @Test(arguments: StoreBackend.allCases)
    func resetTokensWorkOnceBeforeTheyExpire(_ backend: StoreBackend) throws {
        let database = try backend.makeDatabase("accounts")
        try database.migrate()
        let resets = database.passwordResets
        try database.users.create(user("u1", "erin"))
        try database.users.addRefreshToken(RefreshTokenRecord(tokenHash: "r", userID: "u1", familyID: "f", expiresAt: Date().addingTimeInterval(60)))
        let now = Date()
        try resets.issue(userID: "u1", tokenHash: "first", expiresAt: now.addingTimeInterval(3600), now: now)
        try resets.issue(userID: "u1", tokenHash: "second", expiresAt: now.addingTimeInterval(3600), now: now)
        #expect(try resets.owner(tokenHash: "first") == nil, "a newer token replaces the older one")
        #expect(try resets.owner(tokenHash: "second")?.id == "u1")
        #expect(try resets.redeem(tokenHash: "second", newPasswordHash: "late", now: now.addingTimeInterval(3601)) == nil)
        #expect(try resets.owner(tokenHash: "second") == nil, "an expired token is gone once shown")

        try resets.issue(userID: "u1", tokenHash: "third", expiresAt: now.addingTimeInterval(3600), now: now)
        try database.sessions.create(SessionRecord(tokenHash: "s", userID: "u1", csrfToken: "c", expiresAt: now.addingTimeInterval(3600)))
        try database.apiKeys.create(
            APIKeyRecord(id: "k", userID: "u1", name: "ci", prefix: "knk_abcdefgh", keyHash: "kh", scopes: ["read"], expiresAt: nil))
        #expect(try resets.redeem(tokenHash: "third", newPasswordHash: "new-hash")?.id == "u1")
        #expect(try database.users.find(id: "u1")?.passwordHash == "new-hash")
        #expect(try database.users.refreshToken(hash: "r")?.revoked == true)
        #expect(try database.sessions.list(userID: "u1").isEmpty, "a reset ends every browser session")
        #expect(try database.apiKeys.list(userID: "u1").isEmpty, "and deletes every API key")
        #expect(try resets.redeem(tokenHash: "third", newPasswordHash: "again") == nil, "single use")
        #expect(try database.users.find(id: "u1")?.passwordHash == "new-hash")

        try resets.issue(userID: "u1", tokenHash: "fourth", expiresAt: now.addingTimeInterval(3600), now: now)
        try database.users.setDisabled(id: "u1", true)
        #expect(try resets.redeem(tokenHash: "fourth", newPasswordHash: "x") == nil, "a disabled account cannot be taken back by reset")
    }

    @Test(arguments: StoreBackend.allCases)
    func apiKeysAuthenticateUntilExpiredDeletedOrTheirOwnerIsDisabled(_ backend: StoreBackend) throws {
        let database = try backend.makeDatabase("accounts")
        try database.migrate()
        let keys = database.apiKeys
        try database.users.create(user("u1", "frank", role: "creator"))
        try database.users.create(user("u2", "gina"))
        try keys.create(
            APIKeyRecord(id: "k1", userID: "u1", name: "ci", prefix: "knk_abcdefgh", keyHash: "h1", scopes: ["read", "upload"], expiresAt: nil))
        try keys.create(
            APIKeyRecord(
                id: "k2", userID: "u1", name: "old", prefix: "knk_zzzzzzzz", keyHash: "h2", scopes: ["read"],
                expiresAt: Date().addingTimeInterval(-1)))
        let found = try #require(try keys.authenticate(keyHash: "h1"))
        #expect(found.owner.id == "u1" && found.key.scopeList == ["read", "upload"])
        #expect(try keys.authenticate(keyHash: "h2") == nil, "expired")
        #expect(try keys.authenticate(keyHash: "nope") == nil)

        #expect(found.key.needsTouch())
        try keys.touch(id: "k1")
        let touched = try #require(try keys.list(userID: "u1").first { $0.id == "k1" })
        #expect(!touched.needsTouch() && touched.needsTouch(now: Date().addingTimeInterval(61)))

        try database.users.setDisabled(id: "u1", true)
        #expect(try keys.authenticate(keyHash: "h1") == nil, "a disabled owner's keys stop working")
        try database.users.setDisabled(id: "u1", false)
        #expect(try !keys.delete(id: "k1", userID: "u2"), "someone else's key is not theirs to delete")
        #expect(try keys.delete(id: "k1", userID: "u1"))
        #expect(try keys.authenticate(keyHash: "h1") == nil)
    }

    @Test(arguments: StoreBackend.allCases)
    func aPasswordChangeKeepsOnlyTheSessionThatMadeIt(_ backend: StoreBackend) throws {
        let database = try backend.makeDatabase("accounts")
        try database.migrate()
        try database.users.create(user("u1", "hugo"))
        let expiry = Date().addingTimeInterval(3600)
        for hash in ["here", "there"] {
            try database.sessions.create(SessionRecord(tokenHash: hash, userID: "u1", csrfToken: "c", expiresAt: expiry))
        }
        try database.apiKeys.create(
            APIKeyRecord(id: "k", userID: "u1", name: "ci", prefix: "knk_abcdefgh", keyHash: "kh", scopes: ["read"], expiresAt: nil))
        try database.users.setPassword(id: "u1", hash: "new-hash", keepingSession: "here")
        #expect(try database.sessions.list(userID: "u1").map(\.tokenHash) == ["here"])
        #expect(try database.apiKeys.list(userID: "u1").count == 1, "API keys stay")
        try database.users.setPassword(id: "u1", hash: "newer-hash")
        #expect(try database.sessions.list(userID: "u1").isEmpty)
    }
}
