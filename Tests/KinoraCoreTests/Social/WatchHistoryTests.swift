import KinoraCore
import KinoraHost
import KinoraStore
import XCTest

final class WatchHistoryTests: XCTestCase {
    func testPositionsStopAtTheEndAndNearlyTheEndIsWatched() throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let alice = try fixture.user("alice")
        let me = try Profiles(database: fixture.database).signedIn(Viewer(userID: alice.id, isAdmin: false))
        let video = try fixture.video("v", owner: nil, duration: 100)
        let history = WatchHistory(database: fixture.database)

        var entry = try history.record(["position": 40], me: me, video: video)
        XCTAssertEqual(entry.position, 40)
        XCTAssertFalse(entry.completed)
        XCTAssertEqual(try history.resumePosition(videoID: "v", viewer: Viewer(userID: alice.id, isAdmin: false)), .some(40))
        entry = try history.record(["position": 95.5], me: me, video: video)
        XCTAssertTrue(entry.completed)
        XCTAssertEqual(try history.resumePosition(videoID: "v", viewer: Viewer(userID: alice.id, isAdmin: false)), .some(nil))
        // A fresh video: heartbeats within seconds of each other are dropped.
        let short = try fixture.video("short", owner: nil, duration: 10)
        XCTAssertEqual(try history.record(["position": 1000], me: me, video: short).position, 10)
        XCTAssertNil(try history.resumePosition(videoID: "v", viewer: .anonymous))
        XCTAssertThrowsError(try history.record(["position": -1], me: me, video: video)) {
            XCTAssertEqual(($0 as? InvalidField)?.field, "position")
        }
        try history.remove("v", of: me)
        XCTAssertThrowsError(try history.remove("v", of: me)) { XCTAssertEqual($0 as? SocialError, .notInHistory(videoID: "v")) }
    }

    func testOnlyALiveAccountIsSignedIn() throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let gone = try fixture.user("gone", disabled: true)
        let profiles = Profiles(database: fixture.database)
        XCTAssertThrowsError(try profiles.signedIn(.anonymous)) { XCTAssertEqual($0 as? SocialError, .needsCredentials) }
        XCTAssertThrowsError(try profiles.signedIn(Viewer(userID: nil, isAdmin: true))) { XCTAssertEqual($0 as? SocialError, .noAccount) }
        XCTAssertThrowsError(try profiles.signedIn(Viewer(userID: gone.id, isAdmin: false))) { XCTAssertEqual($0 as? SocialError, .accountGone) }
        XCTAssertThrowsError(try profiles.find(username: "gone")) { XCTAssertEqual($0 as? SocialError, .profileNotFound("gone")) }
    }
}
