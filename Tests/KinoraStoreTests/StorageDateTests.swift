import Foundation
import KinoraStore
import Testing

@Suite struct StorageDateTests {
    /// A date read back from the database (SQLite's text, a listing cursor, PostgreSQL's
    /// `timestamptz`) is a binary fraction, a hair below the milliseconds half the time: written
    /// again it must be the same text, or a cursor would point one millisecond off and a page
    /// would skip or repeat rows.
    @Test func everyMillisecondWritesBackAsItWasRead() throws {
        var changed: [String] = []
        for millis in 0..<1000 {
            let text = "2023-11-14 22:13:20." + String(repeating: "0", count: 3 - String(millis).count) + String(millis)
            let date = try #require(Date(storageText: text))
            if date.storageText != text { changed.append("\(text) → \(date.storageText)") }
            let fromPostgreSQL = try #require(Date(storageText: text + "+00"))
            if fromPostgreSQL.storageText != text { changed.append("\(text)+00 → \(fromPostgreSQL.storageText)") }
        }
        #expect(changed.isEmpty, "\(changed.count): \(changed.prefix(5))")
        // Below a millisecond it is still cut, not rounded up, and the last one carries no further.
        #expect(Date(timeIntervalSince1970: 1_700_000_000.1236).storageText == "2023-11-14 22:13:20.123")
        #expect(Date(timeIntervalSince1970: 1_700_000_000.9994).storageText == "2023-11-14 22:13:20.999")
        #expect(Date(timeIntervalSince1970: 1_700_000_000.9999997).storageText == "2023-11-14 22:13:21.000")
    }
}
