import Foundation
import KinoraCore
import Testing

/// The one-click unsubscribe link's token: good until it expires, worthless once touched.
@Suite struct UnsubscribeTokenTests {
    let key = Array("a key of thirty-two bytes, or so".utf8)
    let issued = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aSealedTokenOpensUntilItExpires() {
        let token = UnsubscribeToken(userID: "u1", event: "video.published", channel: "email", expires: issued.addingTimeInterval(UnsubscribeToken.lifetime))
        let text = token.sealed(key: key)
        #expect(UnsubscribeToken.open(text, key: key, now: issued) == token)
        #expect(UnsubscribeToken.open(text, key: key, now: issued.addingTimeInterval(UnsubscribeToken.lifetime - 1)) == token)
        // An old mail's link: expired, so it changes nothing.
        #expect(UnsubscribeToken.open(text, key: key, now: issued.addingTimeInterval(UnsubscribeToken.lifetime)) == nil)
    }

    @Test func aTamperedOrForeignTokenDoesNotOpen() throws {
        let text = UnsubscribeToken(userID: "u1", event: "video.published", channel: "email", expires: issued.addingTimeInterval(60)).sealed(key: key)
        let parts = text.split(separator: ".").map(String.init)
        // Someone else's account under the same signature.
        let other = UnsubscribeToken(userID: "u2", event: "video.published", channel: "email", expires: issued.addingTimeInterval(60)).sealed(key: key)
        let otherPayload = try #require(other.split(separator: ".").first)
        #expect(UnsubscribeToken.open("\(otherPayload).\(parts[1])", key: key, now: issued) == nil)
        // Signed with another key, cut short, or not a token at all.
        #expect(UnsubscribeToken.open(text, key: Array("another key entirely, as long...".utf8), now: issued) == nil)
        #expect(UnsubscribeToken.open(String(text.dropLast()), key: key, now: issued) == nil)
        #expect(UnsubscribeToken.open("not-a-token", key: key, now: issued) == nil)
        #expect(UnsubscribeToken.open(String(repeating: "a", count: 2000) + "." + parts[1], key: key, now: issued) == nil)
    }
}
