import Foundation
import KinoraCore
import KinoraStore
import XCTest

/// The one video visibility rule, as a table: who (owner, admin, another account, nobody)
/// against what (public, unlisted, private, scheduled for later, scheduled in the past).
final class VideoVisibilityTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 2_000_000_000)
    let owner = Viewer(userID: "alice", isAdmin: false)
    let admin = Viewer(userID: "root", isAdmin: true)
    let bootstrap = Viewer(userID: nil, isAdmin: true)
    let other = Viewer(userID: "bob", isAdmin: false)
    let anonymous = Viewer.anonymous

    func video(_ visibility: String, publishAt: Date? = nil) -> VideoRecord {
        VideoRecord(
            id: "v1", title: "T", visibility: visibility, originalKey: nil, originalName: nil, originalSize: 0,
            duration: nil, width: nil, height: nil, mediaInfo: nil, ownerID: "alice", publishAt: publishAt)
    }

    func testWhoSeesWhat() {
        let later = now.addingTimeInterval(3600), earlier = now.addingTimeInterval(-3600)
        let table: [(String, VideoRecord, owner: Bool, admin: Bool, other: Bool)] = [
            ("public", video("public"), true, true, true),
            ("unlisted", video("unlisted"), true, true, true),
            ("private", video("private"), true, true, false),
            ("scheduled", video("public", publishAt: later), true, true, false),
            ("scheduled unlisted", video("unlisted", publishAt: later), true, true, false),
            ("published on schedule", video("public", publishAt: earlier), true, true, true),
            ("private on schedule", video("private", publishAt: earlier), true, true, false),
        ]
        for (name, video, ownerSees, adminSees, otherSees) in table {
            XCTAssertEqual(VideoVisibility.canSee(video, owner, now: now), ownerSees, "owner, \(name)")
            XCTAssertEqual(VideoVisibility.canSee(video, admin, now: now), adminSees, "admin, \(name)")
            XCTAssertEqual(VideoVisibility.canSee(video, bootstrap, now: now), adminSees, "bootstrap token, \(name)")
            XCTAssertEqual(VideoVisibility.canSee(video, other, now: now), otherSees, "another account, \(name)")
            XCTAssertEqual(VideoVisibility.canSee(video, anonymous, now: now), otherSees, "anonymous, \(name)")
            XCTAssertEqual(VideoVisibility.isRestricted(video, now: now), !otherSees, "restricted, \(name)")
        }
    }

    func testOnlyTheOwnerAndAdminsEdit() {
        for visibility in VideoVisibility.values {
            let video = video(visibility)
            XCTAssertTrue(VideoVisibility.canEdit(video, owner))
            XCTAssertTrue(VideoVisibility.canEdit(video, admin))
            XCTAssertTrue(VideoVisibility.canEdit(video, bootstrap))
            XCTAssertFalse(VideoVisibility.canEdit(video, other))
            XCTAssertFalse(VideoVisibility.canEdit(video, anonymous))
        }
    }

    /// A video nobody owns (imported before accounts) is nobody's: no anonymous "owner".
    func testAnOwnerlessVideoIsAdminsOnlyToEdit() {
        var video = video("private")
        video.ownerID = nil
        XCTAssertFalse(VideoVisibility.canEdit(video, anonymous))
        XCTAssertFalse(VideoVisibility.canSee(video, anonymous, now: now))
        XCTAssertTrue(VideoVisibility.canEdit(video, admin))
    }

    func testRefusalsAnswerAsBefore() {
        XCTAssertEqual(VideoAccessError.notFound(id: "abc").problemType, .notFound)
        XCTAssertEqual(VideoAccessError.notFound(id: "abc").detail, "no video abc")
        XCTAssertEqual(VideoAccessError.notEditable.refusal, .forbidden)
    }
}
