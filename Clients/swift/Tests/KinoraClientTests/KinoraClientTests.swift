import Foundation
import HTTPTypes
import KinoraClient
import OpenAPIRuntime
import Testing

/// The hand-written parts of the SDK that need no server (the CLI's run against the live
/// daemon in the daemon's ClientSDKTests).
@Suite struct KinoraClientTests {
    @Test func problemDocumentsAreReadWithTheirShortTypeAndField() throws {
        let json = Data(#"{"type":"https://kinora.invalid/problems/invalid-field","title":"Invalid field","status":422,"detail":"title is too long","field":"title"}"#.utf8)
        let problem = try #require(KinoraProblem(json: json, retryAfter: 3))
        #expect(problem.type == "invalid-field" && problem.status == 422 && problem.field == "title" && problem.retryAfter == 3)
        #expect(problem.description == "title is too long (field title) [422 invalid-field]")
        #expect(KinoraProblem(json: Data("<html>bad gateway</html>".utf8)) == nil)
        #expect(KinoraProblem(json: Data(#"{"title":"no type"}"#.utf8)) == nil)
    }

    @Test func theProblemMiddlewareThrowsProblemsAndPassesEverythingElse() async throws {
        let middleware = ProblemMiddleware()
        let request = HTTPRequest(method: .get, scheme: "http", authority: "127.0.0.1", path: "/api/v1/videos/x")
        func answer(_ status: Int, _ type: String, _ body: String) async throws -> (HTTPResponse, HTTPBody?) {
            try await middleware.intercept(request, body: nil, baseURL: URL(string: "http://127.0.0.1")!, operationID: "getVideo") { _, _, _ in
                (HTTPResponse(status: .init(code: status), headerFields: [.contentType: type, .retryAfter: "7"]), HTTPBody(body))
            }
        }
        await #expect(throws: KinoraProblem.self) {
            _ = try await answer(404, "application/problem+json", #"{"type":"https://kinora.invalid/problems/not-found","title":"Not found","status":404}"#)
        }
        do {
            _ = try await answer(429, "application/problem+json; charset=utf-8", #"{"type":"x/rate-limited","title":"Too many","status":429}"#)
            Issue.record("a 429 problem must throw")
        } catch let problem as KinoraProblem {
            #expect(problem.retryAfter == 7 && problem.type == "x/rate-limited")
        }
        // Success, and an error that is not a problem document, reach the generated code as they came.
        let ok = try await answer(200, "application/json", "{}")
        #expect(ok.0.status.code == 200)
        let html = try await answer(502, "text/html", "<html>bad gateway</html>")
        #expect(html.0.status.code == 502)
    }

    @Test func tusMetadataIsBase64ValuesByKey() {
        #expect(TusUpload.encodeMetadata(["title": "Volcano trip", "filename": "a.mp4"]) == "filename YS5tcDQ=,title Vm9sY2FubyB0cmlw")
    }

    @Test func tusMetadataLeavesAsTusWritesIt() async throws {
        let metadata = TusUpload.encodeMetadata(["title": "Volcano trip, day 2", "visibility": "unlisted"])
        var request = HTTPRequest(method: .post, scheme: "http", authority: "127.0.0.1", path: "/api/v1/uploads")
        // What the generated client's simple-style header encoding makes of it.
        request.headerFields[HTTPField.Name("Upload-Metadata")!] = metadata.addingPercentEncoding(withAllowedCharacters: .alphanumerics)
        let sent = SentHeader()
        _ = try await TusMetadataMiddleware().intercept(request, body: nil, baseURL: URL(string: "http://127.0.0.1")!, operationID: "tusCreate") {
            request, _, _ in
            sent.value = request.headerFields[HTTPField.Name("Upload-Metadata")!]
            return (HTTPResponse(status: .created), nil)
        }
        #expect(sent.value == metadata)
    }

    final class SentHeader: @unchecked Sendable { var value: String? }

    @Test func datesAreReadWithAndWithoutFractionalSeconds() throws {
        let transcoder = RFC3339DateTranscoder()
        let whole = try transcoder.decode("2030-01-31T18:00:00Z")
        #expect(whole.timeIntervalSince1970 == 1_896_112_800)
        #expect(try transcoder.decode("2030-01-31T18:00:00.250Z").timeIntervalSince1970 == 1_896_112_800.25)
        #expect(try transcoder.encode(whole) == "2030-01-31T18:00:00Z")
        #expect(throws: DecodingError.self) { try transcoder.decode("31/01/2030") }
    }
}
