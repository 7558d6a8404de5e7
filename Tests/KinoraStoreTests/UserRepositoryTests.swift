import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

@Suite struct UserRepositoryTests {
    func user(_ id: String, _ name: String, role: String = "viewer") -> UserRecord {
        UserRecord(id: id, username: name, role: role, passwordHash: "$2b$12$notarealhash")
    }

    func database(_ backend: StoreBackend) throws -> KinoraDatabase {
        let database = try backend.makeDatabase("users")
        try database.migrate()
        return database
    }

    @Test(arguments: StoreBackend.allCases)
    func usernamesAreUniqueWhateverTheirCase(_ backend: StoreBackend) throws {
        let database = try database(backend)
        try database.users.create(user("u1", "Alice", role: "admin"))
        #expect(throws: UsernameTaken.self) { try database.users.create(user("u2", "alice")) }
        #expect(try database.users.find(username: "ALICE")?.id == "u1")
        #expect(try database.users.find(id: "u1")?.displayName == "Alice")
        #expect(try database.users.count(role: "admin") == 1)
        #expect(try database.users.count() == 1)
    }

    @Test(arguments: StoreBackend.allCases)
    func unknownRolesAreRefusedByTheDatabase(_ backend: StoreBackend) throws {
        let database = try database(backend)
        #expect(throws: (any Error).self) { try database.users.create(user("u1", "bob", role: "root")) }
    }

    @Test(arguments: StoreBackend.allCases)
    func rotationMarksUsedAndReuseRevokesTheFamily(_ backend: StoreBackend) throws {
        let database = try database(backend)
        let users = database.users
        try users.create(user("u1", "carol"))
        let later = Date().addingTimeInterval(3600)
        try users.addRefreshToken(RefreshTokenRecord(tokenHash: "h1", userID: "u1", familyID: "f1", expiresAt: later))

        guard case .rotated(let owner, let next) = try users.rotate(hash: "h1", nextHash: "h2", expiresAt: later) else {
            Issue.record("a fresh token rotates")
            return
        }
        #expect(owner.id == "u1" && next.familyID == "f1" && next.tokenHash == "h2")
        #expect(try users.refreshToken(hash: "h1")?.used == true)

        #expect(try users.rotate(hash: "h1", nextHash: "h3", expiresAt: later) == .reused)
        #expect(try users.refreshToken(hash: "h2")?.revoked == true, "the newest token of the family is revoked too")
        #expect(try users.rotate(hash: "h2", nextHash: "h4", expiresAt: later) == .invalid)
        #expect(try users.refreshToken(hash: "h3") == nil, "nothing issued on reuse")
        #expect(try users.rotate(hash: "nope", nextHash: "h5", expiresAt: later) == .invalid)
    }

    @Test(arguments: StoreBackend.allCases)
    func expiredDisabledAndRevokedTokensDoNotRotate(_ backend: StoreBackend) throws {
        let database = try database(backend)
        let users = database.users
        try users.create(user("u1", "dave"))
        let later = Date().addingTimeInterval(3600)
        try users.addRefreshToken(RefreshTokenRecord(tokenHash: "old", userID: "u1", familyID: "f0", expiresAt: Date().addingTimeInterval(-1)))
        #expect(try users.rotate(hash: "old", nextHash: "x", expiresAt: later) == .invalid)
        #expect(try users.deleteExpiredTokens() == 1)

        try users.addRefreshToken(RefreshTokenRecord(tokenHash: "a", userID: "u1", familyID: "f1", expiresAt: later))
        try users.addRefreshToken(RefreshTokenRecord(tokenHash: "b", userID: "u1", familyID: "f2", expiresAt: later))
        try users.setDisabled(id: "u1", true)
        #expect(try users.rotate(hash: "a", nextHash: "y", expiresAt: later) == .invalid)
        try users.setDisabled(id: "u1", false)

        #expect(try users.revokeFamily("f1") == 1)
        #expect(try users.rotate(hash: "a", nextHash: "z", expiresAt: later) == .invalid)
        #expect(try users.revokeAll(userID: "u1") == 1, "only f2 was still live")
        #expect(try users.rotate(hash: "b", nextHash: "w", expiresAt: later) == .invalid)
    }

    @Test(arguments: StoreBackend.allCases)
    func listsUpdatesPasswordsAndEmailsOnEitherBackend(_ backend: StoreBackend) throws {
        let database = try database(backend)
        let users = database.users
        let base = Date(timeIntervalSince1970: 1_790_000_000)
        for (index, name) in ["ann", "ben", "cid"].enumerated() {
            try users.create(
                UserRecord(id: "u\(index)", username: name, role: index == 0 ? "admin" : "viewer", passwordHash: "h", now: base.addingTimeInterval(Double(index))),
                email: index == 0 ? UserEmail(address: "Ann@Example.org", verified: true) : nil)
        }
        #expect(throws: EmailTaken.self) {
            try users.create(UserRecord(id: "u9", username: "dan", role: "viewer", passwordHash: "h"), email: UserEmail(address: "ann@example.ORG", verified: false))
        }
        #expect(try users.find(email: "ANN@example.org")?.id == "u0")
        #expect(try users.email(id: "u0") == UserEmail(address: "Ann@Example.org", verified: true))
        // Pages in creation order with a stable cursor.
        let first = try users.list(limit: 2)
        #expect(first.users.map(\.username) == ["ann", "ben"])
        let second = try users.list(limit: 2, cursor: try #require(first.nextCursor))
        #expect(second.users.map(\.username) == ["cid"] && second.nextCursor == nil)
        #expect(try users.list(role: "admin", limit: 10).users.map(\.id) == ["u0"])
        // The last enabled admin stays one.
        #expect(try users.hasEnabledAdmin())
        #expect(throws: LastAdmin.self) { try users.update(id: "u0", UserChanges(role: "viewer")) }
        #expect(try users.update(id: "u1", UserChanges(role: "admin", displayName: "Ben"))?.displayName == "Ben")
        #expect(try users.update(id: "u0", UserChanges(disabled: true))?.disabled == true)
        #expect(try users.find(id: "u0")?.disabled == true && users.count(role: "admin") == 2)
        try users.setPassword(id: "u1", hash: "new")
        #expect(try users.find(id: "u1")?.passwordHash == "new")
        #expect(try users.update(id: "nobody", UserChanges(role: "viewer")) == nil)
    }
}
