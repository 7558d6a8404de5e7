import KinoraCore
import NIOCore
import Testing

/// A caption track's request is checked before anything is stored, each refusal with its type.
@Suite struct CaptionsTests {
    @Test func theLanguageIsATagInItsConventionalCase() throws {
        #expect(try Captions.language("pt-br").value == "pt-BR")
        #expect(throws: CaptionError.badLanguage("../etc")) { try Captions.language("../etc") }
        #expect(CaptionError.badLanguage("x").problemType == .badLanguage)
        #expect(CaptionError.badLanguage("x").refusal == .badRequest)
    }

    @Test func aLabelIsTrimmedAndBlankMeansNone() throws {
        #expect(try Captions.label("  English  ") == "English")
        #expect(try Captions.label("   ") == nil)
        #expect(try Captions.label(nil) == nil)
        #expect(throws: CaptionError.badLabel) { try Captions.label("a\u{7}b") }
        #expect(throws: CaptionError.badLabel) { try Captions.label(String(repeating: "x", count: Captions.maxLabelLength + 1)) }
    }

    @Test func theDefaultFlagIsTrueOrFalse() throws {
        #expect(try Captions.flag(nil) == false)
        #expect(try Captions.flag("true") == true)
        #expect(throws: CaptionError.badDefault) { try Captions.flag("yes") }
    }

    @Test func aFileIsRefusedOnceItPassesTheLimit() async throws {
        let small = [ByteBuffer(string: "WEBVTT\n")]
        #expect(try await Captions.collect(Chunks(buffers: small), announcedLength: nil) == Array("WEBVTT\n".utf8))
        await #expect(throws: CaptionError.tooLarge(limit: Captions.maxBytes)) {
            _ = try await Captions.collect(Chunks(buffers: small), announcedLength: Captions.maxBytes + 1)
        }
        let big = Array(repeating: ByteBuffer(bytes: [UInt8](repeating: 0x41, count: 1 << 20)), count: 3)
        await #expect(throws: CaptionError.tooLarge(limit: Captions.maxBytes)) {
            _ = try await Captions.collect(Chunks(buffers: big), announcedLength: nil)
        }
        #expect(CaptionError.tooLarge(limit: 1).title == "Caption file too large")
    }

    @Test func anInvalidFileNamesTheLineToFix() {
        #expect(
            throws: CaptionError.invalid(WebVTTValidator.Failure(line: 1, reason: "a WebVTT file starts with the line \"WEBVTT\" (found \"hello\")"))
        ) {
            try Captions.validate(Array("hello\n".utf8))
        }
        let refusal = CaptionError.invalid(WebVTTValidator.Failure(line: 3, reason: "NUL character"))
        #expect(refusal.problemType == .badCaptions && refusal.refusal == .unprocessable)
        #expect(refusal.detail == "line 3: NUL character")
    }

    /// A request body as the edge hands it over.
    struct Chunks: AsyncSequence {
        var buffers: [ByteBuffer]
        func makeAsyncIterator() -> AsyncStream<ByteBuffer>.Iterator {
            let buffers = buffers
            return AsyncStream { continuation in
                for buffer in buffers { continuation.yield(buffer) }
                continuation.finish()
            }.makeAsyncIterator()
        }
    }
}
