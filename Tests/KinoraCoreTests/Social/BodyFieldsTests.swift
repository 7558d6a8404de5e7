import KinoraConfiguration
import KinoraCore
import KinoraHost
import XCTest

final class BodyFieldsTests: XCTestCase {
    func testUnknownKeysAreNamedFirstInOrder() {
        XCTAssertThrowsError(try BodyFields.refuseUnknownKeys(["zeta": JSONValue.null, "beta": .null, "title": .null], allowed: ["title", "bio"])) {
            error in
            let unknown = error as? UnknownField
            XCTAssertEqual(unknown?.field, "beta")
            XCTAssertEqual(unknown?.problemType, .unknownField)
            XCTAssertEqual(unknown?.detail, "\"beta\" is not a field here; known: bio, title")
        }
    }

    func testANestedUnknownKeyNamesItsPath() {
        let unknown = UnknownField("sms", known: ["comments", "subscriptions"], noun: "an email notification", parent: "email_notifications")
        XCTAssertEqual(unknown.extra, ["field": "email_notifications.sms"])
        XCTAssertEqual(unknown.detail, "\"sms\" is not an email notification; known: comments, subscriptions")
    }

    func testText() throws {
        XCTAssertNil(try BodyFields.text([:], "title", max: 5))
        XCTAssertEqual(try BodyFields.text(["title": "  hi  "], "title", max: 5), "hi")
        XCTAssertEqual(try BodyFields.text(["bio": " a\nb "], "bio", max: 5, multiline: true, trimmed: false), " a\nb ")
        XCTAssertThrowsError(try BodyFields.text(["title": 3], "title", max: 5)) {
            XCTAssertEqual($0 as? InvalidField, InvalidField("title", "title must be a string"))
        }
        XCTAssertThrowsError(try BodyFields.text(["title": "a\nb"], "title", max: 5)) {
            XCTAssertEqual(($0 as? InvalidField)?.reason, "title must be at most 5 characters without control characters")
        }
        XCTAssertThrowsError(try BodyFields.text(["title": " "], "title", max: 5, allowEmpty: false)) {
            XCTAssertEqual(($0 as? InvalidField)?.reason, "title must be 1 to 5 characters without control characters")
        }
        XCTAssertThrowsError(try BodyFields.text(["bio": "123456"], "bio", max: 5, multiline: true)) {
            XCTAssertEqual(
                ($0 as? InvalidField)?.reason, "bio must be at most 5 characters without control characters other than line breaks and tabs")
        }
    }
}
