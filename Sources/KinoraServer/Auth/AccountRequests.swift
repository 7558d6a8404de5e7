import Foundation
import Hummingbird
import KinoraCore
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
            throw AccountError.badRequest("the field \"\(key.stringValue)\" is missing", field: key.stringValue)
        } catch let DecodingError.typeMismatch(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw AccountError.badRequest("the field \"\(field)\" has the wrong type", field: field)
        } catch let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw AccountError.badRequest("the field \"\(field)\" must not be null", field: field)
        } catch {
            throw AccountError.badRequest("the body must be a JSON object")
        }
    }

    /// The account the caller acts as; the bootstrap token has none.
    static func account(_ context: KinoraRequestContext, database: KinoraDatabase) throws -> UserRecord {
        guard let principal = context.principal else { throw AccountError.needsCredentials("this route needs credentials") }
        return try SignIn.account(id: principal.userID, in: database)
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
