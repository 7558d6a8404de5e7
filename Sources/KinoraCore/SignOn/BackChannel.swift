import CKinoraHTTP
import Foundation
import KinoraConfiguration
import KinoraHost

/// A response from a provider.
struct BackChannelReply: Sendable {
    var status: Int
    var body: [UInt8]

    var json: JSONValue? { try? JSONValue(parsing: String(decoding: body, as: UTF8.self)) }
}

/// No response: refused by policy, unreachable, timed out, too large, libcurl missing.
struct BackChannelError: Error, CustomStringConvertible {
    let description: String
}

/// The daemon's requests to identity providers, through CKinoraHTTP (libcurl, loaded on first
/// use). Each call blocks a thread for up to `timeout`, so it runs on a queue of its own: the
/// cooperative pool has as many threads as cores (two here) and must never wait on a network.
enum BackChannel {
    private static let queue = DispatchQueue(label: "kinora.back-channel", attributes: .concurrent)

    static func get(_ url: String, headers: [String] = ["Accept: application/json"]) async throws(BackChannelError) -> BackChannelReply {
        try await send("GET", url, headers: headers, body: [])
    }

    static func post(_ url: String, headers: [String], body: [UInt8]) async throws(BackChannelError) -> BackChannelReply {
        try await send("POST", url, headers: headers, body: body)
    }

    static func send(
        _ method: String, _ url: String, headers: [String], body: [UInt8],
        timeoutMilliseconds: Int = 10_000, maxBytes: Int = 1 << 20
    ) async throws(BackChannelError) -> BackChannelReply {
        guard BackChannelPolicy.allows(url) else {
            throw BackChannelError(description: "\(url) is neither https nor loopback http")
        }
        let result: Result<BackChannelReply, BackChannelError> = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: perform(method, url, headers, body, timeoutMilliseconds, maxBytes))
            }
        }
        return try result.get()
    }

    private static func perform(
        _ method: String, _ url: String, _ headers: [String], _ body: [UInt8],
        _ timeout: Int, _ maxBytes: Int
    ) -> Result<BackChannelReply, BackChannelError> {
        let lines = headers.map { strdup($0) }
        defer { lines.forEach { free($0) } }
        var response = kinora_http_response()
        defer { kinora_http_response_free(&response) }
        let status = lines.map { UnsafePointer($0) }.withUnsafeBufferPointer { pointers in
            body.withUnsafeBufferPointer { bytes in
                kinora_http_request(
                    method, url, pointers.baseAddress, pointers.count, bytes.baseAddress, bytes.count,
                    timeout, maxBytes, &response)
            }
        }
        guard status == 0 else {
            let message = withUnsafeBytes(of: response.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            return .failure(BackChannelError(description: message))
        }
        let bytes = response.body.map { Array(UnsafeBufferPointer(start: $0, count: response.body_len)) } ?? []
        return .success(BackChannelReply(status: response.status, body: bytes))
    }
}
