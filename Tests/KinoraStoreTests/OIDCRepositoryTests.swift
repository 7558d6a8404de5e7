import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

@Suite struct OIDCRepositoryTests {
    func user(_ id: String, _ name: String) -> UserRecord {
        UserRecord(id: id, username: name, role: "viewer", passwordHash: "$2b$12$notarealhash")
    }

    func login(_ state: String, expiresAt: Date) -> OIDCLoginRecord {
        OIDCLoginRecord(
            stateHash: state, provider: "corp", nonce: "n", codeVerifier: "v", redirectURI: "http://x/cb",
            returnTo: "/", mode: "json", bindingHash: "b", expiresAt: expiresAt)
    }

    @Test(arguments: StoreBackend.allCases)
    func loginsAndExchangeCodesWorkOnceAndExpire(_ backend: StoreBackend) throws {
        let database = try backend.makeDatabase("oidcstore")
        try database.migrate()
        let oidc = database.oidc
        try oidc.addLogin(login("s1", expiresAt: Date().addingTimeInterval(600)))
        try oidc.addLogin(login("s2", expiresAt: Date().addingTimeInterval(600)))
        #expect(try oidc.takeLogin(stateHash: "s1")?.nonce == "n")
        #expect(try oidc.takeLogin(stateHash: "s1") == nil, "single use")
        #expect(try oidc.takeLogin(stateHash: "s2", now: Date().addingTimeInterval(601)) == nil, "expired")
        #expect(try oidc.takeLogin(stateHash: "s2") == nil, "an expired login is gone too")

        try database.users.create(user("u1", "alice"))
        try oidc.addExchangeCode(hash: "c1", userID: "u1", expiresAt: Date().addingTimeInterval(60))
        try oidc.addExchangeCode(hash: "c2", userID: "u1", expiresAt: Date().addingTimeInterval(60))
        #expect(try oidc.takeExchangeCode(hash: "c1") == "u1")
        #expect(try oidc.takeExchangeCode(hash: "c1") == nil)
        #expect(try oidc.takeExchangeCode(hash: "c2", now: Date().addingTimeInterval(61)) == nil)
    }

    @Test(arguments: StoreBackend.allCases)
    func emailsAreUniqueAndOnlyVerifiedOnesLink(_ backend: StoreBackend) throws {
        let database = try backend.makeDatabase("oidcstore")
        try database.migrate()
        let oidc = database.oidc
        try database.users.create(user("u1", "alice"), email: UserEmail(address: "Alice@Example.com", verified: true))
        try database.users.create(user("u2", "bob"), email: UserEmail(address: "bob@example.com", verified: false))
        try database.users.create(user("u3", "carol"))
        try database.users.create(user("u4", "dan"))
        #expect(throws: EmailTaken.self) {
            try database.users.create(user("u5", "alice2"), email: UserEmail(address: "alice@EXAMPLE.com", verified: true))
        }
        #expect(try database.users.find(username: "alice2") == nil, "nothing is kept of a refused account")
        #expect(try database.users.email(id: "u1") == UserEmail(address: "Alice@Example.com", verified: true))
        #expect(try database.users.email(id: "u3") == nil, "accounts without an email do not collide")

        let alice = try #require(try database.users.find(id: "u1"))
        #expect(try oidc.linkByVerifiedEmail(provider: "corp", subject: "s-alice", email: "alice@example.com") == .linkedByEmail(alice))
        #expect(try oidc.linkedUser(provider: "corp", subject: "s-alice")?.id == "u1")
        #expect(try oidc.linkByVerifiedEmail(provider: "corp", subject: "s-bob", email: "bob@example.com") == nil, "bob's address is unverified")
        #expect(try oidc.links(userID: "u1").map(\.subject) == ["s-alice"])

        // New accounts get a free username, and the email only when nobody has it.
        let made = try oidc.createLinked(
            provider: "corp", subject: "s-new", user: user("u6", "alice"),
            email: UserEmail(address: "ALICE@example.com", verified: true))
        guard case .created(let created) = made else {
            Issue.record("\(made)")
            return
        }
        #expect(created.username == "alice-2" && created.displayName == "alice-2")
        #expect(try database.users.email(id: "u6") == nil)
        #expect(
            try oidc.createLinked(provider: "corp", subject: "s-new", user: user("u7", "x"), email: nil) == .linked(created),
            "a subject is linked once")
    }
}
