import Foundation
import HTTPTypes
import Hummingbird
import KinoraCore
import KinoraStore

/// API keys in requests: `X-API-Key: knk_…` or `Authorization: Bearer knk_…`. A valid key
/// acts as its owner with the owner's current role, limited to the key's scopes (the scope a
/// request needs comes from the route the router matched, see ``APIScope/required(method:route:)``).
struct APIKeyAuthenticator: Sendable {
    static let keyPrefix = APIKeys.keyPrefix
    static let apiKeyHeader = HTTPField.Name("X-API-Key")!

    let database: KinoraDatabase

    /// The key the request presents, if it presents one.
    static func presentedKey(_ request: Request) -> String? {
        if let key = request.headers[apiKeyHeader] { return key }
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        let token = header.dropFirst(7)
        return token.hasPrefix(keyPrefix) ? String(token) : nil
    }

    /// Verifies the key and sets the principal and scopes; 401 for a key that is unknown,
    /// revoked, expired or whose owner is disabled, 403 when the key lacks the request's scope.
    func authenticate(_ key: String, _ request: Request, _ context: inout KinoraRequestContext) throws {
        guard key.hasPrefix(Self.keyPrefix), key.utf8.count <= 128,
            let found = try database.apiKeys.authenticate(keyHash: Secrets.hash(key)),
            let role = Role(rawValue: found.owner.role)
        else {
            throw Problem(
                .invalidApiKey,
                detail: "the API key is unknown, revoked or expired, or its account is disabled")
        }
        let (record, owner) = found
        let scopes = Set(record.scopeList.compactMap(APIScope.init(rawValue:)))
        // Router middleware runs after the router matched the route (Hummingbird 2 wraps each
        // endpoint in it), so the matched pattern is known here.
        let needed = APIScope.required(method: request.method, route: context.endpointPath)
        guard scopes.contains(needed) else {
            throw Problem(
                .insufficientScope,
                detail: "this request needs an API key with the \"\(needed.rawValue)\" scope", extra: ["scope": needed.rawValue])
        }
        if record.needsTouch() {
            // Best effort: a busy database must not fail the request over a usage timestamp.
            do { try database.apiKeys.touch(id: record.id) } catch {
                context.logger.warning("cannot record the use of API key \(record.prefix): \(error)")
            }
        }
        context.principal = .user(id: owner.id, role: role)
        context.apiKeyScopes = scopes
    }
}
