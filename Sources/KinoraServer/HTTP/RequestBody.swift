import Foundation
import Hummingbird
import KinoraCore

/// The one way a route reads a JSON request body: into a `Decodable` type, at most 64 KiB.
/// A body that is not JSON, or lacks a field, or has one of the wrong type answers 400
/// `bad-request` naming the field; a longer one 413 `payload-too-large`.
///
/// ```swift
/// struct Body: Decodable { var code: String }
/// let body = try await request.decodeJSON(as: Body.self)
/// ```
extension Request {
    static let maxJSONBytes = 64 * 1024

    func decodeJSON<Value: Decodable>(as type: Value.Type, limit: Int = Request.maxJSONBytes) async throws -> Value {
        var bytes: [UInt8] = []
        for try await buffer in body {
            guard bytes.count + buffer.readableBytes <= limit else {
                throw Refused(.payloadTooLarge, "the body is limited to \(limit) bytes")
            }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        do {
            return try RequestBodyDecoder.decoder.decode(Value.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw Refused(.badRequest, RequestBodyDecoder.explain(error))
        }
    }
}

enum RequestBodyDecoder {
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()

    /// A sentence naming the field, never echoing the value (it may be a password).
    static func explain(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return "send JSON with a \"\(field)\" field"
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return field.isEmpty ? "the body must be a JSON object" : "\"\(field)\" must be \(describe(type))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "the body must be a JSON object" : "\"\(path(context.codingPath))\" is not valid"
        @unknown default:
            return "the body must be a JSON object"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int64.Type, is Double.Type: "a number"
        case is [Any].Type: "an array"
        default: "a JSON object"
        }
    }
}
