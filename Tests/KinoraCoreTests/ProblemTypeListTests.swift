import KinoraCore
import XCTest

/// The list is what clients switch on: raw values are unique, shaped like the URIs they end, and
/// each type has a title.
final class ProblemTypeListTests: XCTestCase {
    func testRawValuesAreUniqueKebabCase() {
        let raws = ProblemType.allCases.map(\.rawValue)
        XCTAssertEqual(Set(raws).count, raws.count)
        for raw in raws {
            XCTAssertNotNil(raw.wholeMatch(of: /[a-z0-9]+(-[a-z0-9]+)*/), raw)
        }
    }

    func testEveryTypeHasATitle() {
        for type in ProblemType.allCases {
            XCTAssertFalse(type.title.isEmpty, type.rawValue)
        }
    }

    func testRefusedCarriesItsTypeAndOverrides() {
        let plain = Refused(.playlistFull, "a playlist holds at most 5000 videos", extra: ["limit": "5000"])
        XCTAssertEqual(plain.refusal, .conflict)
        XCTAssertEqual(plain.title, "Playlist full")
        XCTAssertEqual(plain.extra["limit"], "5000")
        let overridden = Refused(.accountDisabled, refusal: .unauthenticated)
        XCTAssertEqual(overridden.refusal, .unauthenticated)
    }
}
