import Foundation
import Hummingbird

/// Request bodies of the catalog's JSON routes.
enum JSONBody {
    static let maxBytes = 64 * 1024

    /// The body as a JSON object: 400 `bad-request` when it is not one, 413 past 64 KiB.
    static func object(_ request: Request) async throws -> [String: Any] {
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            guard bytes.count + buffer.readableBytes <= maxBytes else {
                throw Problem(.contentTooLarge, type: "payload-too-large", title: "Body too large", detail: "the body is limited to \(maxBytes) bytes")
            }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            throw Problem(.badRequest, type: "bad-request", title: "Bad request", detail: "the body must be a JSON object")
        }
        return object
    }

    /// The response for a JSON object or array.
}
