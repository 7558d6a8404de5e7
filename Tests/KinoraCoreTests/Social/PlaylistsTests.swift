import KinoraCore
import KinoraHost
import KinoraStore
import XCTest

final class PlaylistsTests: XCTestCase {
    func testItemsFollowTheVideoRuleAndHiddenOnesKeepTheirPlace() throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let alice = try fixture.user("alice"), bob = try fixture.user("bob")
        let aliceViews = Viewer(userID: alice.id, isAdmin: false), bobViews = Viewer(userID: bob.id, isAdmin: false)
        try fixture.video("a", owner: alice.id)
        try fixture.video("b", owner: alice.id)
        try fixture.video("secret", visibility: "private", owner: alice.id)
        let playlists = Playlists(database: fixture.database)

        var list = try playlists.create(["title": " Mine ", "visibility": "public"], ownerID: bob.id)
        XCTAssertEqual(list.title, "Mine")
        // Bob cannot add what he cannot see, nor probe it.
        XCTAssertThrowsError(try playlists.add(to: list, ["video_id": "secret"], by: bobViews)) {
            XCTAssertEqual(($0 as? InvalidField)?.field, "video_id")
        }
        list = try playlists.add(to: list, ["video_id": "a"], by: bobViews)
        list = try playlists.add(to: list, ["video_id": "b"], by: bobViews)
        XCTAssertThrowsError(try playlists.add(to: list, ["video_id": "a"], by: bobViews)) {
            XCTAssertEqual($0 as? PlaylistError, .alreadyInPlaylist)
        }
        XCTAssertThrowsError(try playlists.add(to: list, ["video_id": "a", "position": 9], by: bobViews))
        XCTAssertThrowsError(try playlists.add(to: list, ["video_id": "a", "extra": true], by: bobViews)) {
            XCTAssertEqual(($0 as? UnknownField)?.field, "extra")
        }

        // Alice's video "a" goes private: it leaves Bob's view of the list, keeps its place last.
        var a = try XCTUnwrap(fixture.database.videos.find("a"))
        a.visibility = "private"
        _ = try fixture.database.videos.updateMetadata(a, tags: nil)
        XCTAssertEqual(try playlists.items(of: list, to: bobViews).map(\.video.id), ["b"])
        XCTAssertEqual(try playlists.items(of: list, to: aliceViews).map(\.video.id), ["a", "b"])
        XCTAssertThrowsError(try playlists.reorder(list, ["video_ids": ["a", "b"]], by: bobViews)) {
            XCTAssertEqual($0 as? PlaylistError, .notAPermutation)
        }
        _ = try playlists.reorder(list, ["video_ids": ["b"]], by: bobViews)
        XCTAssertEqual(try fixture.database.playlists.items(list.id).map(\.videoID), ["b", "a"])
    }

    func testPrivatePlaylistsAreTheirOwnersAndAdmins() throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let alice = try fixture.user("alice"), bob = try fixture.user("bob")
        let playlists = Playlists(database: fixture.database)
        let list = try playlists.create(["title": "Private by default"], ownerID: alice.id)
        XCTAssertEqual(list.visibility, "private")
        XCTAssertThrowsError(try playlists.visible(list.id, to: Viewer(userID: bob.id, isAdmin: false))) {
            XCTAssertEqual($0 as? PlaylistError, .notFound(id: list.id))
        }
        XCTAssertNoThrow(try playlists.editable(list.id, by: Viewer(userID: nil, isAdmin: true)))
        let shared = try playlists.update(list, ["visibility": "unlisted"])
        XCTAssertThrowsError(try playlists.editable(shared.id, by: Viewer(userID: bob.id, isAdmin: false))) {
            XCTAssertEqual($0 as? PlaylistError, .notOwner)
        }
        XCTAssertThrowsError(try playlists.update(list, ["visibility": "friends"])) {
            XCTAssertEqual(($0 as? InvalidField)?.field, "visibility")
        }
        XCTAssertThrowsError(try playlists.create([:], ownerID: alice.id)) {
            XCTAssertEqual(($0 as? InvalidField)?.reason, "title is required: 1 to 150 characters")
        }
    }
}
