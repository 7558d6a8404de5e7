import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraCore
import KinoraHost

/// Request bodies for the routes that must see every key a client sent (to refuse unknown
/// ones, to tell null from absent, integers from other numbers): `request.decodeJSON` cannot.
/// At most 64 KiB (413 `payload-too-large`); 400 `bad-request` when not a JSON object.
enum JSONBody {
    /// The body as a JSON object of typed values.
    static func members(_ request: Request) async throws -> [String: JSONValue] {
        let bytes = try await collect(request)
        guard let value = try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self)), let members = value.objectValue else {
            throw Refused(.badRequest, "the body must be a JSON object")
        }
        return members
    }

    /// The body as a Foundation JSON object (`VideoPatch`, until it reads ``members(_:)``).
    static func object(_ request: Request) async throws -> [String: Any] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(try await collect(request)))) as? [String: Any] else {
            throw Refused(.badRequest, "the body must be a JSON object")
        }
        return object
    }

    private static func collect(_ request: Request) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            guard bytes.count + buffer.readableBytes <= Request.maxJSONBytes else {
                throw Refused(.payloadTooLarge, "the body is limited to \(Request.maxJSONBytes) bytes")
            }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return bytes
    }
}
