import Foundation
import KinoraTestSupport
import Testing

/// Handles that would pass for the site or its staff (`[channels] reserved_handles`): channels
/// and sign-up usernames (which become handles) cannot take them; admins can.
@Suite struct ReservedHandleTests {
    static func type(_ result: HTTPResult) -> String? {
        ((result.json as? [String: Any])?["type"] as? String)?.split(separator: "/").last.map(String.init)
    }

    static func expectReserved(_ result: HTTPResult, field: String, _ note: String) {
        #expect(
            result.status == 422 && type(result) == "handle-reserved" && SignupTests.field(result) == field
                && result.headers["content-type"] == "application/problem+json", "\(note): \(result.status) \(result.body)")
    }

    @Test func channelsAndSignupsCannotTakeReservedHandlesButAdminsCan() async throws {
        let (daemon, dir) = try await SignupTests.daemon(auth: "signup = \"open\"")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let creator = try CatalogTests.account(daemon, "cleo", role: "creator")
        let admin = try CatalogTests.account(daemon, "ops", role: "admin")

        // Any case: handles are compared as they are stored, in lower case.
        for handle in ["admin", "Support", "KINORA", "security", "official", "api", "streams", "static", "login", "settings", "www"] {
            let refused = try CatalogTests.json(daemon, "POST", "/api/v1/channels", ["handle": handle, "name": "Official"], headers: creator.headers)
            Self.expectReserved(refused, field: "handle", "creator's channel @\(handle)")
        }
        let fan = try CatalogTests.object(
            try CatalogTests.json(daemon, "POST", "/api/v1/channels", ["handle": "kinora-fan", "name": "Fan"], headers: creator.headers))
        let fanID = try #require(fan["id"] as? String)
        Self.expectReserved(
            try CatalogTests.json(daemon, "PATCH", "/api/v1/channels/\(fanID)", ["handle": "Kinora"], headers: creator.headers),
            field: "handle", "renaming to @kinora")

        // Admins make the official channels, and their owners keep them when renaming other fields.
        let official = try CatalogTests.json(daemon, "POST", "/api/v1/channels", ["handle": "Support", "name": "Support"], headers: admin.headers)
        #expect(official.status == 201 && (official.json as? [String: Any])?["handle"] as? String == "support", "\(official.body)")
        let officialID = try #require((official.json as? [String: Any])?["id"] as? String)
        let renamed = try CatalogTests.json(
            daemon, "PATCH", "/api/v1/channels/\(officialID)", ["handle": "support", "name": "Help desk"], headers: admin.headers)
        #expect(renamed.status == 200, "\(renamed.body)")

        // A username becomes the default channel's handle.
        for username in ["Official", "kinora", "streams", "moderator"] {
            Self.expectReserved(
                try SignupTests.signup(daemon, ["username": username, "password": "a long enough password"]),
                field: "username", "sign-up as \(username)")
        }
        #expect(try SignupTests.signup(daemon, ["username": "officially", "password": "a long enough password"]).status == 201)
        #expect(try await daemon.stop() == 0)
    }

    @Test func theConfiguredListReplacesTheDefaults() async throws {
        let (daemon, dir) = try await SignupTests.daemon(auth: "signup = \"open\"\n[channels]\nreserved_handles = [\"Acme\", \"acme-news\"]")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let creator = try CatalogTests.account(daemon, "cleo", role: "creator")
        Self.expectReserved(
            try CatalogTests.json(daemon, "POST", "/api/v1/channels", ["handle": "ACME", "name": "Acme"], headers: creator.headers),
            field: "handle", "configured @acme")
        Self.expectReserved(
            try SignupTests.signup(daemon, ["username": "acme-news", "password": "a long enough password"]),
            field: "username", "configured acme-news")
        let support = try CatalogTests.json(daemon, "POST", "/api/v1/channels", ["handle": "support", "name": "Support"], headers: creator.headers)
        #expect(support.status == 201, "the defaults are replaced: \(support.body)")
        #expect(try await daemon.stop() == 0)
    }
}
