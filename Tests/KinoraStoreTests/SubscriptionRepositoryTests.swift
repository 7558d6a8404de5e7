import Foundation
import GRDB
import KinoraStore
import KinoraTestSupport
import Testing

@Suite struct SubscriptionRepositoryTests {
    @Test func theFeedHoldsFollowedChannelsPublicListedVideosNewestFirst() throws {
        let (database, dir) = try TestEnvironment.migratedDatabase("subscriptions")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (id, role) in [("maker", "creator"), ("other", "creator"), ("fan", "viewer")] {
            try database.users.create(UserRecord(id: id, username: "user-" + id, role: role, passwordHash: "$2b$12$notarealhash"))
        }
        let followed = ChannelRecord(ownerID: "maker", handle: "maker", name: "Maker")
        let unfollowed = ChannelRecord(ownerID: "other", handle: "other", name: "Other")
        try database.channels.create(followed)
        try database.channels.create(unfollowed)
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        func video(_ id: String, channel: ChannelRecord, visibility: String = "public", at offset: Double, publishAt: Date? = nil) throws {
            try database.videos.create(
                VideoRecord(
                    id: id, title: id, visibility: visibility, originalKey: nil, originalName: nil, originalSize: 1,
                    duration: 1, width: 2, height: 2, mediaInfo: nil, ownerID: channel.ownerID,
                    channelID: channel.id, publishAt: publishAt, now: start.addingTimeInterval(offset)))
        }
        try video("a", channel: followed, at: 1)
        try video("b", channel: followed, at: 2)
        try video("c", channel: followed, visibility: "private", at: 3)
        try video("d", channel: followed, at: 4, publishAt: Date().addingTimeInterval(86400))
        try video("e", channel: unfollowed, at: 5)
        try video("f", channel: followed, at: 6)

        #expect(try database.subscriptions.subscribe(userID: "fan", channelID: followed.id))
        #expect(try !database.subscriptions.subscribe(userID: "fan", channelID: followed.id))
        #expect(throws: SubscriptionRepository.UnknownChannel.self) { try database.subscriptions.subscribe(userID: "fan", channelID: "gone") }
        #expect(try database.subscriptions.count(channelID: followed.id) == 1)

        let first = try database.subscriptions.feed(userID: "fan", limit: 2, cursor: nil)
        #expect(first.items.map(\.video.id) == ["f", "b"])
        let rest = try database.subscriptions.feed(userID: "fan", limit: 2, cursor: try #require(first.nextCursor))
        #expect(rest.items.map(\.video.id) == ["a"] && rest.nextCursor == nil)
        #expect(throws: InvalidCursor.self) { try database.subscriptions.feed(userID: "fan", limit: 2, cursor: "***") }

        // The plan walks the subscriptions' primary key into each channel's index range.
        let (sql, arguments) = SubscriptionRepository.feedSQL(userID: "fan", limit: 20)
        let plan = try database.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
        }
        #expect(plan.first?.hasPrefix("SEARCH s USING COVERING INDEX") == true, "\(plan)")
        #expect(plan.contains { $0.hasPrefix("SEARCH v USING INDEX videos_channel (channel_id=? AND listed_at<?)") }, "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN") }, "\(plan)")

        // A deleted channel takes its subscriptions along.
        try database.writer.write { try $0.execute(sql: "DELETE FROM channels WHERE id = ?", arguments: [followed.id]) }
        #expect(try database.subscriptions.list(userID: "fan", limit: 10, cursor: nil).channels.isEmpty)
    }
}
