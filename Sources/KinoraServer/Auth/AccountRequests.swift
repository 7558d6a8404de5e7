import Foundation
import Hummingbird
import KinoraStore

/// Reading request bodies and answering for the account routes.
enum AccountRequests {
    /// Decodes a JSON body strictly (types are not coerced); a bad body is a 400 that names
    /// the field when there is one. An empty body reads as `{}`, so every field takes its default.
    static func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        let data = buffer.readableBytes == 0 ? Data("{}".utf8) : Data(buffer.readableBytesView)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw badRequest("the field \"\(key.stringValue)\" is missing", field: key.stringValue)
        } catch let DecodingError.typeMismatch(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw badRequest("the field \"\(field)\" has the wrong type", field: field)
        } catch let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw badRequest("the field \"\(field)\" must not be null", field: field)
        } catch {
            throw badRequest("the body must be a JSON object", field: nil)
        }
    }

    static func badRequest(_ detail: String, field: String?) -> Problem {
        Problem(.badRequest, type: "bad-request", title: "Bad request", detail: detail, extra: field.map { ["field": $0] } ?? [:])
    }

    /// 422 for a value that is well-formed but not acceptable; `field` names it.
    static func invalid(_ field: String, _ detail: String) -> Problem {
        Problem(.unprocessableContent, type: "invalid-field", title: "Invalid field", detail: detail, extra: ["field": field])
    }

    /// The password policy as a 422 naming `field`. Synchronous on purpose: a typed-throws
    /// do/catch inside an async function crashes Swift 6.3.1's SILGen.
    static func checkPassword(_ password: String, username: String, field: String) throws {
        do {
            try Accounts.checkPassword(password, username: username, field: field)
        } catch {
            throw invalid(error.field, error.description)
        }
    }

    static func checkUsername(_ username: String) throws {
        do {
            try Accounts.checkUsername(username)
        } catch {
            throw invalid(error.field, error.description)
        }
    }

    /// A display name: 1 to 64 characters, no control characters, not only spaces.
    static func checkDisplayName(_ name: String) throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard (1...64).contains(trimmed.count), !trimmed.containsControlCharacters() else {
            throw invalid("display_name", "the display name must have 1 to 64 characters and no control characters")
        }
        return trimmed
    }

    /// The account the caller acts as; the bootstrap token has none.
    static func account(_ context: KinoraRequestContext, database: KinoraDatabase) throws -> UserRecord {
        guard let principal = context.principal else { throw Problem.unauthorized("this route needs credentials") }
        guard let id = principal.userID else {
            throw Problem(.notFound, type: "no-account", title: "No account", detail: "the bootstrap admin token belongs to no account")
        }
        guard let user = try database.users.find(id: id), !user.disabled else { throw Problem.unauthorized("the account no longer exists") }
        return user
    }

    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    /// The account as the admin routes show it.
    static func userObject(_ user: UserRecord) -> [String: Any] {
        ["id": user.id, "username": user.username, "display_name": user.displayName, "role": user.role,
         "disabled": user.disabled, "created_at": iso(user.createdAt)]
    }

    static func noStore(_ response: Response) -> Response {
        var response = response
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
