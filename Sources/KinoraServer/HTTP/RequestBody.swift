import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraCore

/// The one way a route reads a JSON request body: into a `Decodable` type, at most 64 KiB.
/// A body that is not JSON, or lacks a field, or has one of the wrong type answers 400
/// `bad-request` naming the field (and a `field` member); a longer one 413 `payload-too-large`.
///
/// ```swift
/// struct Body: Decodable { var code: String }
/// let body = try await request.decodeJSON(as: Body.self)
/// ```
extension Request {
    static let maxJSONBytes = 64 * 1024

    /// - Parameter emptyAsObject: an empty body reads as `{}`, so every optional field takes
    ///   its default (the account routes, whose bodies are all optional).
    func decodeJSON<Value: Decodable>(as type: Value.Type, emptyAsObject: Bool = false) async throws -> Value {
        var bytes = try await collectJSON()
        if bytes.isEmpty && emptyAsObject { bytes = Array("{}".utf8) }
        do {
            return try RequestBodyDecoder.decoder.decode(Value.self, from: Data(bytes))
        } catch let error as DecodingError {
            let (detail, field) = RequestBodyDecoder.explain(error)
            throw Refused(.badRequest, detail, extra: field.map { ["field": $0] } ?? [:])
        }
    }

    /// The body as a JSON object of typed values, for the routes that must see every key a
    /// client sent (to refuse unknown ones, to tell null from absent, integers from other
    /// numbers), which a `Decodable` cannot.
    func jsonMembers() async throws -> [String: JSONValue] {
        let bytes = try await collectJSON()
        guard let value = try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self)), let members = value.objectValue else {
            throw Refused(.badRequest, "the body must be a JSON object")
        }
        return members
    }

    /// The body as any JSON value (an array too), for the routes whose body is not an object.
    func jsonValue() async throws -> JSONValue {
        let bytes = try await collectJSON()
        guard let value = try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self)) else {
            throw Refused(.badRequest, "the body must be JSON")
        }
        return value
    }

    /// At most 64 KiB, refused as the byte past the limit arrives.
    private func collectJSON(limit: Int = Request.maxJSONBytes) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await buffer in body {
            guard bytes.count + buffer.readableBytes <= limit else {
                throw Refused(.payloadTooLarge, "the body is limited to \(limit) bytes")
            }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return bytes
    }
}

enum RequestBodyDecoder {
    static let decoder: JSONDecoder = {
        // No key strategy: each body names its snake_case keys in CodingKeys, where a reader
        // of the type sees them.
        JSONDecoder()
    }()

    /// A sentence naming the field, never echoing the value (it may be a password), and the field.
    static func explain(_ error: DecodingError) -> (detail: String, field: String?) {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return ("send JSON with a \"\(field)\" field", field)
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return field.isEmpty ? ("the body must be a JSON object", nil) : ("\"\(field)\" must be \(describe(type))", field)
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? ("the body must be a JSON object", nil) : ("\"\(path(context.codingPath))\" is not valid", path(context.codingPath))
        @unknown default:
            return ("the body must be a JSON object", nil)
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
