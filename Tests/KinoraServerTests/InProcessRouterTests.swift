import Foundation
import HTTPTypes
import HummingbirdTesting
import KinoraTestSupport
import NIOCore
import Testing

/// The daemon's router driven in process (``InProcessDaemon``): the middleware and routes the
/// daemon serves, without a socket, so these rules are checked at the speed of a unit test.
@Suite struct InProcessRouterTests {
    static func problemType(_ body: ByteBuffer) -> String? {
        let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        return (object?["type"] as? String)?.replacingOccurrences(of: "https://kinora.invalid/problems/", with: "")
    }

    @Test func aClientPastItsReadBucketIsToldWhenToComeBack() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("in-process-rate")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = """
            [rate_limit]
            read = { per_second = 0.01, burst = 3 }
            """
        try await InProcessDaemon.test(dataDir: dir, config: config) { client, _ in
            for _ in 0..<3 {
                try await client.execute(uri: "/api/v1/videos", method: .get) { #expect($0.status == .ok) }
            }
            try await client.execute(uri: "/api/v1/videos", method: .get) { response in
                #expect(response.status == .tooManyRequests)
                #expect(Self.problemType(response.body) == "rate-limited")
                let wait = response.headers[.retryAfter].flatMap { Int($0) }
                #expect(wait != nil && wait! >= 1)
            }
            // Another class has its own bucket.
            try await client.execute(uri: "/streams/nothing/master.m3u8", method: .get) { #expect($0.status == .notFound) }
        }
    }

    @Test func writesNeedCredentialsAndTheRightRole() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("in-process-access")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await InProcessDaemon.test(dataDir: dir) { client, daemon in
            let body = ByteBuffer(string: #"{"id": "volcanoes", "name": "Volcanoes"}"#)
            try await client.execute(uri: "/api/v1/categories", method: .post, headers: [.contentType: "application/json"], body: body) { response in
                #expect(response.status == .unauthorized)
                #expect(Self.problemType(response.body) == "unauthorized")
            }
            let admin: HTTPFields = [.contentType: "application/json", .authorization: daemon.adminAuthorization]
            try await client.execute(uri: "/api/v1/categories", method: .post, headers: admin, body: body) { response in
                #expect(response.status == .created)
            }
            try await client.execute(uri: "/api/v1/categories", method: .post, headers: admin, body: body) { response in
                #expect(response.status == .conflict)
                #expect(Self.problemType(response.body) == "category-exists")
            }
        }
    }

    @Test func tusCreatesAnUploadAndRefusesAWrongOffset() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("in-process-tus")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await InProcessDaemon.test(dataDir: dir) { client, daemon in
            let tusVersion = HTTPField.Name("Tus-Version")!, tusResumable = HTTPField.Name("Tus-Resumable")!
            let uploadLength = HTTPField.Name("Upload-Length")!, uploadOffset = HTTPField.Name("Upload-Offset")!
            try await client.execute(uri: "/api/v1/uploads", method: .options) { response in
                #expect(response.headers[tusVersion] == "1.0.0")
            }
            try await client.execute(uri: "/api/v1/uploads", method: .post, headers: [tusResumable: "1.0.0", uploadLength: "10"]) { response in
                #expect(response.status == .unauthorized)
            }
            let location = try await client.execute(
                uri: "/api/v1/uploads", method: .post,
                headers: [tusResumable: "1.0.0", uploadLength: "10", .authorization: daemon.adminAuthorization]
            ) { response in
                #expect(response.status == .created)
                return response.headers[.location] ?? ""
            }
            #expect(location.hasPrefix("/api/v1/uploads/"))
            try await client.execute(uri: location, method: .head, headers: [tusResumable: "1.0.0", .authorization: daemon.adminAuthorization]) {
                response in
                #expect(response.headers[uploadOffset] == "0")
            }
            let patch: HTTPFields = [
                tusResumable: "1.0.0", uploadOffset: "4", .contentType: "application/offset+octet-stream",
                .authorization: daemon.adminAuthorization,
            ]
            try await client.execute(uri: location, method: .patch, headers: patch, body: ByteBuffer(string: "abc")) { response in
                #expect(response.status == .conflict)
                #expect(Self.problemType(response.body) == "offset-mismatch")
            }
        }
    }
}
