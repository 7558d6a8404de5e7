import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

/// The signal the listing's page cache keeps pages by: it moves with what a listing shows,
/// and stays put through the writes a busy node makes elsewhere (a fan-out, the outbox).
@Suite struct CatalogChangesTests {
    @Test func onSQLiteItMovesWithCatalogCommitsAndNothingElse() throws {
        let fixture = try CatalogFixture(.sqlite)
        let database = fixture.database
        let maker = try fixture.user("maker")
        let channel = ChannelRecord(ownerID: maker.id, handle: "maker-news", name: "Maker")
        try database.channels.create(channel)
        try fixture.video("v1", owner: maker.id, channel: channel.id, tags: ["trains"])
        let reader = try fixture.user("reader", role: "viewer")
        try database.subscriptions.subscribe(userID: reader.id, channelID: channel.id)

        var seen = try #require(database.catalogChanges.generation)
        func moved() throws -> Bool {
            let now = try #require(database.catalogChanges.generation)
            defer { seen = now }
            return now != seen
        }
        // A fan-out's rows, a read, a session: the pages built before are still right.
        let mail = [OutboxDelivery(channel: "mail", kind: "email", byDefault: true, addressing: .email)]
        _ = try database.outbox.fanOut(
            .subscribers(channelID: channel.id), event: "video.published", data: #"{"video_id":"v1"}"#, keyPrefix: "video.published-v1-",
            deliveries: mail, inApp: true)
        _ = try database.videos.list(VideoQuery())
        #expect(try database.inbox.unreadCount(userID: reader.id) == 1)
        #expect(try moved() == false, "the fan-out touched no catalog table")
        // Each thing a listing shows: a view, a title, the channel's name, a deletion.
        try database.videos.addViews("v1")
        #expect(try moved(), "a view changes the count and the most-viewed order")
        try database.sql.write { try $0.execute("UPDATE videos SET title = 'Night trains' WHERE id = 'v1'") }
        #expect(try moved())
        try database.sql.write { try $0.execute("UPDATE channels SET name = 'Maker TV' WHERE id = ?", [channel.id]) }
        #expect(try moved())
        try database.sql.write { try $0.execute("DELETE FROM video_tags WHERE video_id = 'v1'") }
        #expect(try moved())
        // A rolled-back write changes nothing.
        _ = try? database.sql.write { db -> Void in
            try db.execute("UPDATE videos SET title = 'Gone' WHERE id = 'v1'")
            throw SQLError.statement("rolled back on purpose")
        }
        #expect(try moved() == false)
    }

    /// Other nodes write unseen: nothing may be kept, so there is no generation to keep by.
    @Test func onPostgreSQLThereIsNone() throws {
        let database = try StoreBackend.postgres.makeDatabase("catalog-changes")
        try database.migrate()
        #expect(database.catalogChanges.generation == nil)
    }
}
