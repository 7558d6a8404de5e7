import KinoraCore
import KinoraStore
import XCTest

final class ChannelsTests: XCTestCase {
    func testReservedHandlesAreForAdminsAndOnlyOwnersChange() throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let alice = try fixture.user("alice"), bob = try fixture.user("bob"), root = try fixture.user("root", role: "admin")
        let aliceViews = Viewer(userID: alice.id, isAdmin: false)
        let channels = Channels(database: fixture.database, reservedHandles: ["support"])

        XCTAssertThrowsError(try channels.create(ChannelFields(handle: "support", name: "S"), by: aliceViews)) {
            XCTAssertEqual($0 as? ChannelError, .handleReserved(field: "handle", handle: "support"))
        }
        XCTAssertNoThrow(try channels.create(ChannelFields(handle: "support", name: "S"), by: Viewer(userID: root.id, isAdmin: true)))
        XCTAssertThrowsError(try channels.create(ChannelFields(handle: "support", name: "S"), by: Viewer(userID: root.id, isAdmin: true))) {
            XCTAssertEqual(($0 as? ChannelError)?.problemType, .handleTaken)
        }
        XCTAssertThrowsError(try channels.create(ChannelFields(handle: "boot", name: "B"), by: Viewer(userID: nil, isAdmin: true))) {
            XCTAssertEqual($0 as? ChannelError, .noAccount)
        }

        let mine = try channels.create(ChannelFields(handle: "woodwork", name: "Wood"), by: aliceViews)
        XCTAssertThrowsError(try channels.editable(mine.id, by: Viewer(userID: bob.id, isAdmin: false))) {
            XCTAssertEqual($0 as? ChannelError, .notOwner)
        }
        XCTAssertEqual(try channels.update(mine, ChannelFields(name: "Woodwork"), by: aliceViews).name, "Woodwork")
        XCTAssertThrowsError(try channels.find("nope")) { XCTAssertEqual($0 as? ChannelError, .notFound(id: "nope")) }
    }

    func testAChannelWithVideosGoesOnlyWhenForced() throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let alice = try fixture.user("alice")
        let aliceViews = Viewer(userID: alice.id, isAdmin: false)
        let channels = Channels(database: fixture.database, reservedHandles: [])
        let channel = try XCTUnwrap(channels.mine(aliceViews).first)
        var video = try fixture.video("v", owner: alice.id)
        video.channelID = channel.id
        _ = try fixture.database.videos.updateMetadata(video, tags: nil)

        XCTAssertThrowsError(try channels.prepareDeletion(channel.id, force: false, by: aliceViews)) {
            XCTAssertEqual($0 as? ChannelError, .notEmpty(id: channel.id, videos: 1))
        }
        XCTAssertEqual(try channels.prepareDeletion(channel.id, force: true, by: aliceViews).videoIDs, ["v"])
    }
}
