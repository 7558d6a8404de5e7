import KinoraServer
import NIOCore
import Testing

/// The bounds on a multipart upload's text fields, fed through the streaming reader as a
/// daemon receives them: a form of thousands of fields or of many large ones is refused at
/// the part that crosses a limit, with the stable problem type, before the rest is read.
struct MultipartFormFieldsTests {
    static let boundary = "----kinora-fields"

    static func form(fields: Int, valueBytes: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        let value = [UInt8](repeating: UInt8(ascii: "v"), count: valueBytes)
        for index in 0..<fields {
            bytes += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"f\(index)\"\r\n\r\n".utf8) + value + Array("\r\n".utf8)
        }
        return bytes + Array("--\(boundary)--\r\n".utf8)
    }

    /// Feeds `body` in 4 KiB buffers; returns the fields kept, or the refusal and how many
    /// bytes had been fed when it came.
    static func read(_ body: [UInt8], _ fields: MultipartFormFields) -> (MultipartFormFields, Problem?, Int) {
        var fields = fields
        var stream = MultipartStream(boundary: boundary)
        var fed = 0
        do {
            while fed < body.count {
                let end = min(body.count, fed + 4096)
                let chunk = ByteBuffer(bytes: body[fed..<end])
                fed = end
                try stream.feed(chunk) { event in
                    switch event {
                    case .part(let headers):
                        let name = headers["content-disposition"]?.split(separator: "\"").dropFirst().first.map(String.init) ?? ""
                        try fields.begin(name)
                    case .body(let raw): try fields.append(raw)
                    case .partEnd: fields.end()
                    }
                }
            }
            try stream.finish()
        } catch let problem as Problem {
            return (fields, problem, fed)
        } catch {
            Issue.record("unexpected \(error)")
        }
        return (fields, nil, fed)
    }

    @Test func formsWithinTheLimitsAreKept() {
        let (fields, problem, _) = Self.read(Self.form(fields: 64, valueBytes: 100), MultipartFormFields(maxFields: 64, maxTotalBytes: 256 << 10))
        #expect(problem == nil)
        #expect(fields.values.count == 64 && fields.values["f63"] == String(repeating: "v", count: 100))
    }

    @Test func thousandsOfTinyFieldsAreRefusedAtTheFirstPastTheCount() {
        let body = Self.form(fields: 5000, valueBytes: 1)
        let (fields, problem, fed) = Self.read(body, MultipartFormFields(maxFields: 64, maxTotalBytes: 256 << 10))
        #expect(problem?.status.code == 413 && problem?.type == "too-many-fields", "\(String(describing: problem))")
        #expect(fields.count == 65)
        // Refused within a buffer of the 65th part, not after reading all 5000.
        #expect(fed < 70 * 80 + 4096, "read \(fed) of \(body.count) bytes first")
    }

    @Test func manyLargeFieldsAreRefusedOnceTheirTotalPassesTheLimit() {
        let body = Self.form(fields: 3200, valueBytes: 60_000)
        let (fields, problem, fed) = Self.read(body, MultipartFormFields(maxFields: 10_000, maxTotalBytes: 256 << 10))
        #expect(problem?.status.code == 413 && problem?.type == "fields-too-large", "\(String(describing: problem))")
        #expect(fields.totalBytes > 256 << 10 && fed <= (256 << 10) + 2 * 4096, "read \(fed) bytes first")
    }

    @Test func oneFieldPastItsOwnLimitIsRefused() {
        let (_, problem, _) = Self.read(Self.form(fields: 1, valueBytes: 70_000), MultipartFormFields(maxFields: 64, maxTotalBytes: 1 << 20))
        #expect(problem?.status.code == 413 && problem?.type == "field-too-large")
    }
}
