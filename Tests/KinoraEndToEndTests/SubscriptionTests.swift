import Foundation
import KinoraTestSupport
import Testing

/// Following channels and the feed of their newest public videos.
@Suite struct SubscriptionTests {
    @Test func subscribersSeeTheNewestPublicVideosOfTheChannelsTheyFollow() async throws {
        let (daemon, dir, users) = try await SocialTests.start("social-feed", users: [("sam", "creator"), ("tina", "viewer")])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sam = try #require(users["sam"]), tina = try #require(users["tina"])
        let older = try SocialTests.uploadClip(daemon, dir: dir, token: sam.token, fields: ["title": "Older"])
        _ = try SocialTests.uploadClip(daemon, dir: dir, token: sam.token, fields: ["title": "Hidden", "visibility": "unlisted"])
        let newer = try SocialTests.uploadClip(daemon, dir: dir, token: sam.token, fields: ["title": "Newer"])
        _ = try SocialTests.uploadClip(daemon, dir: dir, fields: ["title": "Not followed"])
        let channel = try #require(
            ((try SocialTests.object(try daemon.get("/api/v1/videos/\(older)")))["channel"] as? [String: Any])?["id"] as? String)

        #expect(try SocialTests.call(daemon, "PUT", "/api/v1/channels/\(channel)/subscription").status == 401)
        #expect(try SocialTests.call(daemon, "PUT", "/api/v1/channels/nochannel/subscription", tina.token).status == 404)
        let followed = try SocialTests.call(daemon, "PUT", "/api/v1/channels/\(channel)/subscription", tina.token)
        #expect(followed.status == 201, "\(followed.body)")
        #expect(try SocialTests.call(daemon, "PUT", "/api/v1/channels/\(channel)/subscription", tina.token).status == 200, "again: no change")
        let shown = try SocialTests.object(try daemon.get("/api/v1/channels/\(channel)", headers: AuthTests.bearer(tina.token)))
        #expect(shown["subscriber_count"] as? Int == 1 && shown["subscribed"] as? Bool == true)
        #expect((try SocialTests.object(try daemon.get("/api/v1/channels/\(channel)")))["subscribed"] == nil)
        let following = try SocialTests.object(try SocialTests.call(daemon, "GET", "/api/v1/me/subscriptions", tina.token))
        #expect((following["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [channel])

        // Newest first, one per page, without the unlisted video or the unfollowed channel.
        let first = try SocialTests.object(try SocialTests.call(daemon, "GET", "/api/v1/me/feed?limit=1", tina.token))
        #expect((first["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [newer])
        let cursor = try #require(first["next_cursor"] as? String)
        let second = try SocialTests.object(try SocialTests.call(daemon, "GET", "/api/v1/me/feed?limit=1&cursor=\(cursor)", tina.token))
        #expect((second["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [older] && second["next_cursor"] is NSNull)
        #expect(try SocialTests.call(daemon, "GET", "/api/v1/me/feed?cursor=%%%", tina.token).status == 400)

        #expect(try SocialTests.call(daemon, "DELETE", "/api/v1/channels/\(channel)/subscription", tina.token).status == 204)
        #expect(try SocialTests.call(daemon, "DELETE", "/api/v1/channels/\(channel)/subscription", tina.token).status == 404)
        #expect(((try SocialTests.object(try SocialTests.call(daemon, "GET", "/api/v1/me/feed", tina.token)))["items"] as? [Any])?.isEmpty == true)
        #expect((try SocialTests.object(try daemon.get("/api/v1/channels/\(channel)")))["subscriber_count"] as? Int == 0)
        #expect(try await daemon.stop() == 0)
    }
}
