import Foundation
import Hummingbird
import KinoraStore

/// `/api/v1/me/api-keys`: the caller's API keys. A key is shown once, when made; the database
/// keeps its SHA-256 and a short prefix that tells keys apart in lists.
struct APIKeyRoutes {
    let database: KinoraDatabase

    struct Body: Decodable {
        var name: String
        var scopes: [String]
        var expiresInDays: Int?

        enum CodingKeys: String, CodingKey {
            case name, scopes
            case expiresInDays = "expires_in_days"
        }
    }

    func register(on router: Router<KinoraRequestContext>) {
        router.post("api/v1/me/api-keys") { request, context in
            try Access.authenticated.check(context)
            return try await create(request, context)
        }
        router.get("api/v1/me/api-keys") { _, context in
            try Access.authenticated.check(context)
            let user = try AccountRequests.account(context, database: database)
            return try JSONResponse.make(.ok, ["items": try database.apiKeys.list(userID: user.id).map { Self.object($0) }])
        }
        router.delete("api/v1/me/api-keys/:id") { _, context in
            try Access.authenticated.check(context)
            let user = try AccountRequests.account(context, database: database)
            let id = context.parameters.get("id") ?? ""
            guard try database.apiKeys.delete(id: id, userID: user.id) else { throw Problem.notFound("no API key \(id.prefix(64))") }
            return Response(status: .noContent)
        }
    }

    func create(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        let user = try AccountRequests.account(context, database: database)
        let body = try await AccountRequests.decode(Body.self, request)
        let name = body.name.trimmingCharacters(in: .whitespaces)
        guard (1...64).contains(name.count), !name.containsControlCharacters() else {
            throw AccountRequests.invalid("name", "the name must have 1 to 64 characters and no control characters")
        }
        var scopes = Set<APIScope>()
        for text in body.scopes {
            guard let scope = APIScope(rawValue: text) else {
                throw AccountRequests.invalid("scopes", "unknown scope \"\(text.prefix(32))\"; scopes are \(APIScope.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            scopes.insert(scope)
        }
        guard !scopes.isEmpty else { throw AccountRequests.invalid("scopes", "name at least one scope") }
        if scopes.contains(.admin), context.principal?.role != .admin {
            throw Problem.forbidden("only admins may create keys with the \"admin\" scope")
        }
        // A key cannot mint a key that may do more than itself.
        if let own = context.apiKeyScopes, !scopes.isSubset(of: own) {
            throw Problem(.forbidden, type: "insufficient-scope", title: "Insufficient scope",
                          detail: "a key made with an API key can have only that key's scopes (\(APIScope.names(own).joined(separator: ", ")))")
        }
        var expiresAt: Date?
        if let days = body.expiresInDays {
            guard (1...3650).contains(days) else { throw AccountRequests.invalid("expires_in_days", "expires_in_days must be from 1 to 3650") }
            expiresAt = Date().addingTimeInterval(TimeInterval(days) * 86400)
        }
        let secret = Accounts.newSecret()
        let key = APIKeyAuthenticator.keyPrefix + secret.token
        let record = APIKeyRecord(id: RandomID.make(bytes: 10), userID: user.id, name: name,
                                  prefix: String(key.prefix(APIKeyAuthenticator.keyPrefix.count + 8)),
                                  keyHash: Accounts.hashSecret(key), scopes: APIScope.names(scopes), expiresAt: expiresAt)
        try database.apiKeys.create(record)
        context.logger.info("API key \(record.prefix) made for \(user.username)")
        var object = Self.object(record)
        object["key"] = key
        return AccountRequests.noStore(try JSONResponse.make(.created, object))
    }

    static func object(_ key: APIKeyRecord) -> [String: Any] {
        ["id": key.id, "name": key.name, "prefix": key.prefix, "scopes": key.scopeList,
         "created_at": AccountRequests.iso(key.createdAt), "expires_at": key.expiresAt.map(AccountRequests.iso) ?? NSNull(),
         "last_used_at": key.lastUsedAt.map(AccountRequests.iso) ?? NSNull()]
    }
}
