import Foundation
import Hummingbird
import KinoraCore
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

    var keys: APIKeys { APIKeys(database: database) }

    func register(on router: Router<KinoraRequestContext>) {
        router.post("api/v1/me/api-keys") { request, context in
            try Access.authenticated.check(context)
            return try await create(request, context)
        }
        router.get("api/v1/me/api-keys") { _, context in
            try Access.authenticated.check(context)
            let user = try AccountRequests.account(context, database: database)
            return try JSONResponse.make(.ok, ["items": try keys.list(userID: user.id).map { Self.object($0) }])
        }
        router.delete("api/v1/me/api-keys/:id") { _, context in
            try Access.authenticated.check(context)
            let user = try AccountRequests.account(context, database: database)
            try keys.delete(id: context.parameters.get("id") ?? "", userID: user.id)
            return Response(status: .noContent)
        }
    }

    func create(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        let user = try AccountRequests.account(context, database: database)
        let body = try await request.decodeJSON(as: Body.self, emptyAsObject: true)
        _ = try APIKeys.checkName(body.name)
        let scopes = try Self.grantable(body.scopes, context)
        let (record, key) = try keys.create(for: user, name: body.name, scopes: APIScope.names(scopes), expiresInDays: body.expiresInDays)
        context.logger.info("API key \(record.prefix) made for \(user.username)")
        var object = Self.object(record)
        object["key"] = key
        return AccountRequests.noStore(try JSONResponse.make(.created, object))
    }

    /// The scopes asked for, when the caller may grant them: admin keys only from admins, and a
    /// key cannot mint a key that may do more than itself.
    static func grantable(_ names: [String], _ context: KinoraRequestContext) throws -> Set<APIScope> {
        var scopes = Set<APIScope>()
        for text in names {
            guard let scope = APIScope(rawValue: text) else {
                throw AccountError.invalidField(
                    field: "scopes",
                    detail: "unknown scope \"\(text.prefix(32))\"; scopes are \(APIScope.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            scopes.insert(scope)
        }
        guard !scopes.isEmpty else { throw AccountError.invalidField(field: "scopes", detail: "name at least one scope") }
        if scopes.contains(.admin), context.principal?.role != .admin {
            throw AccountError.forbidden("only admins may create keys with the \"admin\" scope")
        }
        if let own = context.apiKeyScopes, !scopes.isSubset(of: own) {
            throw AccountError.insufficientScope(
                "a key made with an API key can have only that key's scopes (\(APIScope.names(own).joined(separator: ", ")))")
        }
        return scopes
    }

    static func object(_ key: APIKeyRecord) -> [String: Any] {
        [
            "id": key.id, "name": key.name, "prefix": key.prefix, "scopes": key.scopeList,
            "created_at": AccountRequests.iso(key.createdAt), "expires_at": key.expiresAt.map(AccountRequests.iso) ?? NSNull(),
            "last_used_at": key.lastUsedAt.map(AccountRequests.iso) ?? NSNull(),
        ]
    }
}
