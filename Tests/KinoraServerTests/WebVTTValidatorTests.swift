import KinoraServer
import Testing

@Suite struct WebVTTValidatorTests {
    func validate(_ text: String) throws(WebVTTValidator.Failure) -> WebVTTValidator.Summary {
        try WebVTTValidator.validate(Array(text.utf8))
    }

    func failure(_ bytes: [UInt8]) -> WebVTTValidator.Failure? {
        do {
            _ = try WebVTTValidator.validate(bytes)
            return nil
        } catch {
            return error
        }
    }

    func failure(_ text: String) -> WebVTTValidator.Failure? { failure(Array(text.utf8)) }

    @Test func acceptsWhatTheSpecificationAllows() throws {
        #expect(try validate("WEBVTT") == .init(cues: 0, endMilliseconds: 0))
        #expect(try validate("WEBVTT\n").cues == 0)
        #expect(try validate("WEBVTT - a title\tand more\n\n").cues == 0)
        let full = """
            WEBVTT\tKinora sample
            Kind: captions
            Language: en

            STYLE
            ::cue { color: yellow }

            REGION
            id:fred width:40%

            NOTE a comment
            over two lines

            1
            00:01.000 --> 00:04.500
            Hello, <b>world</b>!

            intro-2
            00:00:04.500 --> 00:00:06.000 align:start position:10% line:0
            Two
            lines

            100:00:00.000 --> 100:00:00.000
            A hundred hours in, a zero-length cue.

            """
        #expect(try validate(full) == .init(cues: 3, endMilliseconds: 360_000_000))
        // A byte order mark, CRLF and CR line ends.
        #expect(try WebVTTValidator.validate([0xEF, 0xBB, 0xBF] + Array("WEBVTT\r\n\r\n00:00.000 --> 00:01.000\r\nHi\r\n".utf8)).cues == 1)
        #expect(try validate("WEBVTT\r\r00:00.000 --> 00:01.000\rHi\r").cues == 1)
        #expect(try validate("WEBVTT\n\n00:00.000 --> 00:02.000\nUnicode: 字幕 — ça va ✓").endMilliseconds == 2000)
    }

    @Test func refusesAFileThatIsNotWebVTTOnLineOne() {
        for text in ["", "WEBVTTX", "webvtt", "1\n00:00.000 --> 00:01.000\nHi", "{\"json\": true}", " WEBVTT"] {
            #expect(failure(text)?.line == 1, "\(text)")
        }
        #expect(failure([0xFF, 0xFE] + Array("WEBVTT".utf8))?.line == 1, "UTF-16 is not WebVTT")
    }

    @Test func refusesBadTimingLinesNamingTheLine() {
        let cases: [(String, Int)] = [
            ("WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nHi", 3),
            ("WEBVTT\n\n1\n00:00:01,000 --> 00:00:02,000\nSRT commas", 4),
            ("WEBVTT\n\n00:00:01.00 --> 00:00:02.000\nTwo-digit millis", 3),
            ("WEBVTT\n\n00:01:60.000 --> 00:01:61.000\nSixty seconds", 3),
            ("WEBVTT\n\n00:60:00.000 --> 01:00:00.000\nSixty minutes", 3),
            ("WEBVTT\n\n0:00:01.000 --> 0:00:02.000\nOne-digit hours", 3),
            ("WEBVTT\n\n00:00:01.000-->00:00:02.000\nNo blanks", 3),
            ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000align:start\nGlued setting", 3),
            ("WEBVTT\n\n00:00:01.000 --> \nNo end", 3),
            ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nFine\n\n00:00:05.000 --> 00:00:04.000\nEnds first", 6),
            ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nFine\n00:00:03.000 --> 00:00:04.000\nNo blank line", 5),
            ("WEBVTT\n00:00:01.000 --> 00:00:02.000\nNo blank line after the header", 2),
            ("WEBVTT\n\nJust some text\nwithout timings", 3),
            ("WEBVTT\n\nSTYLE\n00:00:01.000 --> 00:00:02.000", 4),
        ]
        for (text, line) in cases {
            let refused = failure(text)
            #expect(refused?.line == line, "\(text.debugDescription): \(refused?.description ?? "accepted")")
        }
        #expect(failure("WEBVTT\n\n00:00:05.000 --> 00:00:04.000\nx")?.reason.contains("00:00:04.000") == true)
    }

    @Test func refusesBytesThatAreNotUTF8Text() {
        let latin1 = Array("WEBVTT\n\n00:00.000 --> 00:01.000\n".utf8) + [0x63, 0x61, 0x20, 0x76, 0x61, 0xE7, 0x0A]
        #expect(failure(latin1) == .init(line: 4, reason: "not valid UTF-8 (WebVTT files are UTF-8)"))
        #expect(failure(Array("WEBVTT\n\n00:00.000 --> 00:01.000\nnul".utf8) + [0])?.line == 4)
        #expect(failure(Array("WEBVTT\n".utf8) + [0xC0, 0x80])?.line == 2, "overlong encodings are not UTF-8")
    }
}
