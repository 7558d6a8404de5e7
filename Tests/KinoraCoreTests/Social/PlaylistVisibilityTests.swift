import KinoraCore
import KinoraStore
import XCTest

/// The one playlist visibility rule, as a table.
final class PlaylistVisibilityTests: XCTestCase {
    func testWhoSeesAndChangesWhat() {
        let owner = Viewer(userID: "alice", isAdmin: false)
        let admin = Viewer(userID: "root", isAdmin: true)
        let other = Viewer(userID: "bob", isAdmin: false)
        let table: [(String, owner: Bool, admin: Bool, other: Bool)] = [
            ("public", true, true, true),
            ("unlisted", true, true, true),
            ("private", true, true, false),
        ]
        for (visibility, ownerSees, adminSees, otherSees) in table {
            let playlist = PlaylistRecord(id: "p", ownerID: "alice", title: "T", description: "", visibility: visibility)
            XCTAssertEqual(PlaylistVisibility.canSee(playlist, owner), ownerSees, visibility)
            XCTAssertEqual(PlaylistVisibility.canSee(playlist, admin), adminSees, visibility)
            XCTAssertEqual(PlaylistVisibility.canSee(playlist, other), otherSees, visibility)
            XCTAssertEqual(PlaylistVisibility.canSee(playlist, .anonymous), otherSees, visibility)
            XCTAssertTrue(PlaylistVisibility.canEdit(playlist, owner))
            XCTAssertTrue(PlaylistVisibility.canEdit(playlist, admin))
            XCTAssertFalse(PlaylistVisibility.canEdit(playlist, other))
            XCTAssertFalse(PlaylistVisibility.canEdit(playlist, .anonymous))
        }
    }

    func testRefusalsKeepTheirTypes() {
        XCTAssertEqual(PlaylistError.full(limit: 5000).problemType, .playlistFull)
        XCTAssertEqual(PlaylistError.full(limit: 5000).detail, "a playlist holds at most 5000 videos")
        XCTAssertEqual(PlaylistError.alreadyInPlaylist.refusal, .conflict)
        XCTAssertEqual(PlaylistError.notAPermutation.refusal, .unprocessable)
        XCTAssertEqual(PlaylistError.notAPermutation.extra, ["field": "video_ids"])
        XCTAssertEqual(PlaylistError.notFound(id: "p").problemType, .notFound)
        XCTAssertEqual(PlaylistError.notOwner.problemType, .forbidden)
        XCTAssertEqual(SocialError.noAccount.refusal, .notFound)
        XCTAssertEqual(SocialError.accountGone.problemType, .unauthorized)
    }
}
