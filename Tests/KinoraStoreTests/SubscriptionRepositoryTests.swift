import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

@Suite struct SubscriptionRepositoryTests {
    @Test(arguments: StoreBackend.allCases)
    func theFeedHoldsFollowedChannelsPublicListedVideosNewestFirst(_ backend: StoreBackend) throws {
        let database = try backend.makeDatabase("subscriptions")
        try database.migrate()
        for (id, role) in [("maker", "creator"), ("other", "creator"), ("fan", "viewer")] {
            try database.users.create(UserRecord(id: id, username: "user-" + id, role: role, passwordHash: "$2b$12$notarealhash"))
        }
        let followed = ChannelRecord(ownerID: "maker", handle: "maker", name: "Maker")
        let unfollowed = ChannelRecord(ownerID: "other", handle: "other", name: "Other")
        try database.channels.create(followed)
        try database.channels.create(unfollowed)
        // Milliseconds that are not whole: the cursor must carry the date as stored.
        let start = Date(timeIntervalSince1970: 1_700_000_000.321)
        func video(_ id: String, channel: ChannelRecord, visibility: String = "public", at offset: Double, publishAt: Date? = nil) throws {
            try database.videos.create(
                VideoRecord(
                    id: id, title: id, visibility: visibility, originalKey: nil, originalName: nil, originalSize: 1,
                    duration: 1, width: 2, height: 2, mediaInfo: nil, ownerID: channel.ownerID,
                    channelID: channel.id, publishAt: publishAt, now: start.addingTimeInterval(offset * 1.011)))
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
        #expect(try database.subscriptions.isSubscribed(userID: "fan", channelID: followed.id))
        #expect(try !database.subscriptions.isSubscribed(userID: "fan", channelID: unfollowed.id))

        let first = try database.subscriptions.feed(userID: "fan", limit: 2, cursor: nil)
        #expect(first.items.map(\.video.id) == ["f", "b"])
        #expect(first.items.first?.channel?.handle == "maker")
        let feedCursor = try #require(first.nextCursor)
        let rest = try database.subscriptions.feed(userID: "fan", limit: 2, cursor: feedCursor)
        #expect(rest.items.map(\.video.id) == ["a"] && rest.nextCursor == nil)
        #expect(throws: InvalidCursor.self) { try database.subscriptions.feed(userID: "fan", limit: 2, cursor: "***") }

        // The account's subscriptions, most recent first, a page at a time.
        let later = Date().addingTimeInterval(5)
        #expect(try database.subscriptions.subscribe(userID: "fan", channelID: unfollowed.id, now: later))
        let newest = try database.subscriptions.list(userID: "fan", limit: 1, cursor: nil)
        #expect(newest.channels.map(\.channel.id) == [unfollowed.id])
        #expect(newest.channels.first.map { abs($0.subscribedAt.timeIntervalSince(later)) < 0.001 } == true)
        let listCursor = try #require(newest.nextCursor)
        let older = try database.subscriptions.list(userID: "fan", limit: 1, cursor: listCursor)
        #expect(older.channels.map(\.channel.id) == [followed.id] && older.nextCursor == nil)
        #expect(try database.subscriptions.unsubscribe(userID: "fan", channelID: unfollowed.id))
        #expect(try !database.subscriptions.unsubscribe(userID: "fan", channelID: unfollowed.id))

        // A deleted channel takes its subscriptions along.
        #expect(try database.channels.delete(id: followed.id))
        #expect(try database.subscriptions.list(userID: "fan", limit: 10, cursor: nil).channels.isEmpty)
        #expect(try database.subscriptions.feed(userID: "fan", limit: 10, cursor: nil).items.isEmpty)
    }

    /// SQLite plans without statistics, so the feed's join order is fixed in its SQL: this
    /// checks it walks the subscriptions' primary key into each channel's index range.
    @Test func theFeedWalksTheSubscriptionsIntoEachChannelsRangeOnSQLite() throws {
        let database = try StoreBackend.sqlite.makeDatabase("subscriptions")
        try database.migrate()
        let (sql, arguments) = SubscriptionRepository.feedSQL(userID: "fan", limit: 20, dialect: .sqlite)
        let plan = try database.sql.read { db in
            try db.fetchAll("EXPLAIN QUERY PLAN " + sql, arguments).map { try $0.value("detail", as: String.self) }
        }
        #expect(plan.first?.hasPrefix("SEARCH s USING COVERING INDEX") == true, "\(plan)")
        #expect(plan.contains { $0.hasPrefix("SEARCH v USING INDEX videos_channel (channel_id=? AND listed_at<?)") }, "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN") }, "\(plan)")
    }
}
