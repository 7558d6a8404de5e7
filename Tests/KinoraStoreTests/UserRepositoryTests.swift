import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

@Suite struct UserRepositoryTests {
    func user(_ id: String, _ name: String, role: String = "viewer") -> UserRecord {
        UserRecord(id: id, username: name, role: role, passwordHash: "$2b$12$notarealhash")
    }

    @Test func usernamesAreUniqueWhateverTheirCase() throws {
        let (database, dir) = try TestEnvironment.migratedDatabase("users")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try database.users.create(user("u1", "Alice", role: "admin"))
        #expect(throws: UsernameTaken.self) { try database.users.create(user("u2", "alice")) }
        #expect(try database.users.find(username: "ALICE")?.id == "u1")
        #expect(try database.users.find(id: "u1")?.displayName == "Alice")
        #expect(try database.users.count(role: "admin") == 1)
        #expect(try database.users.count() == 1)
    }

    @Test func unknownRolesAreRefusedByTheDatabase() throws {
        let (database, dir) = try TestEnvironment.migratedDatabase("users")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: (any Error).self) { try database.users.create(user("u1", "bob", role: "root")) }
    }

    @Test func rotationMarksUsedAndReuseRevokesTheFamily() throws {
        let (database, dir) = try TestEnvironment.migratedDatabase("users")
        defer { try? FileManager.default.removeItem(atPath: dir) }
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

    @Test func expiredDisabledAndRevokedTokensDoNotRotate() throws {
        let (database, dir) = try TestEnvironment.migratedDatabase("users")
        defer { try? FileManager.default.removeItem(atPath: dir) }
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
}
