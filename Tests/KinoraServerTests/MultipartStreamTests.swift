import KinoraServer
import NIOCore
import Testing

/// The streaming multipart reader, fed the same body cut at every possible place: the parts
/// must come out the same whatever the network's chunking.
struct MultipartStreamTests {
    struct Part: Equatable {
        var headers: [String: String]
        var body: [UInt8]
    }

    static let boundary = "----kinora7d1a"

    static func body(_ parts: [(headers: String, body: [UInt8])], preamble: String = "", epilogue: String = "") -> [UInt8] {
        var bytes = Array(preamble.utf8)
        for part in parts {
            bytes += Array("--\(boundary)\r\n\(part.headers)\r\n".utf8) + part.body + Array("\r\n".utf8)
        }
        return bytes + Array("--\(boundary)--\r\n\(epilogue)".utf8)
    }

    static func parse(_ bytes: [UInt8], chunks: [Int]) throws -> [Part] {
        var stream = MultipartStream(boundary: boundary)
        var parts: [Part] = []
        var start = 0
        for size in chunks + [bytes.count] where start < bytes.count {
            let end = min(bytes.count, start + max(1, size))
            try stream.feed(ByteBuffer(bytes: bytes[start..<end])) { event in
                switch event {
                case .part(let headers): parts.append(Part(headers: headers, body: []))
                case .body(let raw): parts[parts.count - 1].body += Array(raw)
                case .partEnd: break
                }
            }
            start = end
        }
        try stream.finish()
        return parts
    }

    @Test func partsComeOutTheSameWhereverTheBodyIsCut() throws {
        // A file body full of near-delimiters: CRs, CRLFs, "--" and a boundary prefix.
        let tricky = Array("\r\r\n-\r\n--\r\n--\(Self.boundary.dropLast())x\r\n--\(Self.boundary.prefix(5))".utf8) + (0..<300).map { UInt8($0 % 256) }
        let bytes = Self.body(
            [
                ("Content-Disposition: form-data; name=\"title\"\r\n", Array("Hello, world".utf8)),
                ("Content-Disposition: form-data; name=\"file\"; filename=\"a.mp4\"\r\nContent-Type: video/mp4\r\n", tricky),
                ("Content-Disposition: form-data; name=\"empty\"\r\n", []),
            ], preamble: "ignored preamble\r\n", epilogue: "ignored epilogue")
        let expected = try Self.parse(bytes, chunks: [bytes.count])
        #expect(expected.count == 3)
        #expect(expected[0].headers["content-disposition"] == "form-data; name=\"title\"" && expected[0].body == Array("Hello, world".utf8))
        #expect(expected[1].headers["content-type"] == "video/mp4" && expected[1].body == tricky)
        #expect(expected[2].body.isEmpty)
        for cut in 1..<bytes.count {
            #expect(try Self.parse(bytes, chunks: [cut]) == expected, "cut at \(cut)")
        }
        #expect(try Self.parse(bytes, chunks: Array(repeating: 1, count: bytes.count)) == expected, "one byte at a time")
    }

    @Test func aBodyWithoutItsClosingBoundaryIsRefused() throws {
        let bytes = Self.body([("Content-Disposition: form-data; name=\"file\"\r\n", Array(repeating: 7, count: 100))])
        #expect(throws: MultipartStream.Malformed.self) { try Self.parse(Array(bytes.dropLast(30)), chunks: [7]) }
        #expect(throws: MultipartStream.Malformed.self) { try Self.parse(Array("no boundary at all".utf8), chunks: [4]) }
    }

    @Test func oversizedOrBrokenHeadersAreRefused() throws {
        let huge = Self.body([("X-Padding: " + String(repeating: "a", count: 20_000) + "\r\n", [1])])
        #expect(throws: MultipartStream.Malformed.self) { try Self.parse(huge, chunks: [1000]) }
        let noColon = Self.body([("Content-Disposition form-data\r\n", [1])])
        #expect(throws: MultipartStream.Malformed.self) { try Self.parse(noColon, chunks: [noColon.count]) }
    }
}
