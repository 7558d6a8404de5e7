import Foundation
import Hummingbird

/// The one way a route answers with JSON: a JSON-ready value (`[String: Any]`, arrays,
/// strings, numbers, `NSNull`) written by ``JSONWriter`` (keys sorted, nothing escaped that
/// need not be), or an `Encodable` value (its CodingKeys name the JSON keys, as request bodies'
/// do: no key strategy on either side).
enum JSONResponse {
    static func make(_ status: HTTPResponse.Status, _ value: Any) throws -> Response {
        make(status, encoded: try encoded(value))
    }

    /// A JSON-ready value's bytes, for a route that keeps them (``CatalogPageCache``).
    static func encoded(_ value: Any) throws -> ByteBuffer {
        ByteBuffer(bytes: try JSONWriter.bytes(value))
    }

    /// Bytes ``encoded(_:)`` made earlier.
    static func make(_ status: HTTPResponse.Status, encoded body: ByteBuffer) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }

    static func make(_ status: HTTPResponse.Status, encoding value: some Encodable) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: try encoder.encode(value))))
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
