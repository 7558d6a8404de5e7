import KinoraConfiguration
import KinoraCore
import KinoraHost
import XCTest

final class ChannelFieldsTests: XCTestCase {
    func testCreatingNeedsHandleAndName() {
        XCTAssertThrowsError(try ChannelFields.parse(["name": "N"], creating: true)) { error in
            XCTAssertEqual(error as? InvalidField, InvalidField("handle", "handle is required"))
        }
        XCTAssertThrowsError(try ChannelFields.parse(["handle": "woodwork"], creating: true)) { error in
            XCTAssertEqual((error as? InvalidField)?.field, "name")
        }
        XCTAssertEqual(try ChannelFields.parse(["description": "d"], creating: false), ChannelFields(description: "d"))
    }

    func testHandlesAreKeptLowerCase() throws {
        XCTAssertEqual(
            try ChannelFields.parse(["handle": "WoodWork", "name": " Wood "], creating: true),
            ChannelFields(handle: "woodwork", name: "Wood"))
    }

    func testWrongValuesNameTheirField() {
        let cases: [([String: JSONValue], String)] = [
            (["handle": "-x"], "handle"), (["handle": 12], "handle"), (["name": "   "], "name"),
            (["name": "a\u{7}b"], "name"), (["description": 3], "description"), (["colour": "red"], "colour"),
        ]
        for (body, field) in cases {
            XCTAssertThrowsError(try ChannelFields.parse(body, creating: false)) { error in
                let invalid = error as? InvalidField
                XCTAssertEqual(invalid?.field, field)
                XCTAssertEqual(invalid?.problemType, .invalidField)
                XCTAssertEqual(invalid?.extra, ["field": field])
                XCTAssertEqual(invalid?.title, "Invalid \(field)")
            }
        }
    }

    func testNullEmptiesTheDescription() throws {
        XCTAssertEqual(try ChannelFields.parse(["description": nil], creating: false).description, "")
    }

    func testReservedAndTakenHandlesNameTheirField() {
        let reserved = ChannelError.handleReserved(field: "username", handle: "support")
        XCTAssertEqual(reserved.problemType, .handleReserved)
        XCTAssertEqual(reserved.refusal, .unprocessable)
        XCTAssertEqual(reserved.extra, ["field": "username"])
        XCTAssertEqual(ChannelError.handleTaken("taken").extra, ["field": "handle"])
        XCTAssertEqual(ChannelError.notEmpty(id: "c", videos: 3).extra, ["videos": "3"])
        XCTAssertEqual(ChannelError.notEmpty(id: "c", videos: 3).refusal, .conflict)
    }

    func testListingScopes() throws {
        XCTAssertThrowsError(try VideoListing.ownerScope(.anonymous)) { XCTAssertEqual($0 as? VideoListing.Denied, .needsCredentials) }
        XCTAssertThrowsError(try VideoListing.ownerScope(Viewer(userID: nil, isAdmin: true))) {
            XCTAssertEqual(($0 as? InvalidParameter)?.extra, ["parameter": "owner"])
        }
        XCTAssertEqual(try VideoListing.ownerScope(Viewer(userID: "a", isAdmin: false)), .owner("a"))
        XCTAssertThrowsError(try VideoListing.widenToAll(.listed, Viewer(userID: "a", isAdmin: false))) {
            XCTAssertEqual($0 as? VideoListing.Denied, .adminsOnly)
        }
        XCTAssertEqual(try VideoListing.widenToAll(.listed, Viewer(userID: "a", isAdmin: true)), .all)
        XCTAssertEqual(try VideoListing.widenToAll(.owner("a"), Viewer(userID: "a", isAdmin: true)), .owner("a"))
    }

    func testSearchWords() {
        XCTAssertEqual(try VideoSearch.words("  dove tail "), "dove tail")
        XCTAssertThrowsError(try VideoSearch.words("   "))
        XCTAssertThrowsError(try VideoSearch.words(String(repeating: "a", count: VideoSearch.maxQueryLength + 1)))
    }
}
