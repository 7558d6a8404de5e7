import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraHost
import KinoraStore

/// The account behind the caller's credentials, for routes about "my" things. An access
/// token outlives a disabled or deleted account by up to its lifetime: such a token is
/// refused here, not only at the next refresh.
enum SignedIn {
    static func profile(_ context: KinoraRequestContext, database: KinoraDatabase) throws -> Profile {
        guard let principal = context.principal else { throw Problem.unauthorized("this route needs credentials") }
        guard let id = principal.userID else {
            throw Problem(.notFound, type: "no-account", title: "No account", detail: "the bootstrap admin token belongs to no account")
        }
        guard let profile = try database.profiles.find(id: id), !profile.disabled else {
            throw Problem.unauthorized("the account no longer exists or is disabled")
        }
        return profile
    }
}

/// JSON in and out for the social routes, and the 422 that names the field at fault.
enum SocialHTTP {
    static func invalid(_ field: String, _ detail: String) -> Problem {
        Problem(.unprocessableContent, type: "invalid-field", title: "Invalid \(field)", detail: detail, extra: ["field": field])
    }

    /// 422 for the first key of `body` outside `allowed`.
    static func refuseUnknownKeys<Value>(_ body: [String: Value], allowed: Set<String>) throws {
        if let unknown = body.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw Problem(.unprocessableContent, type: "unknown-field", title: "Unknown field",
                          detail: "\"\(unknown.prefix(64))\" is not a field here; known: \(allowed.sorted().joined(separator: ", "))",
                          extra: ["field": String(unknown.prefix(64))])
        }
    }

    /// A text field: a string of at most `max` characters without control characters
    /// (line breaks and tabs allowed when `multiline`).
    static func text(_ body: [String: JSONValue], _ field: String, max: Int, multiline: Bool = false, trimmed: Bool = true,
                     allowEmpty: Bool = true) throws -> String? {
        guard let value = body[field] else { return nil }
        guard var text = value.stringValue else { throw invalid(field, "\(field) must be a string") }
        if trimmed { text = text.trimmingCharacters(in: .whitespacesAndNewlines) }
        let control = text.containsControlCharacters(allowingNewlines: multiline)
        guard text.count <= max, !control, allowEmpty || !text.isEmpty else {
            throw invalid(field, "\(field) must be \(allowEmpty ? "at most" : "1 to") \(max) characters without control characters"
                          + (multiline ? " other than line breaks and tabs" : ""))
        }
        return text
    }

    static func limit(_ request: Request) -> Int {
        min(max(request.uri.queryParameters.get("limit", as: Int.self) ?? 20, 1), 100)
    }

    static func date(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}

extension SocialHTTP {
    /// The body as a JSON object of typed values (booleans and numbers kept apart).
    static func members(_ request: Request) async throws -> [String: JSONValue] {
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        guard let value = try? JSONValue(parsing: String(decoding: buffer.readableBytesView, as: UTF8.self)), let members = value.objectValue else {
            throw Problem(.badRequest, type: "bad-request", title: "Bad request", detail: "the body must be a JSON object")
        }
        return members
    }
}
