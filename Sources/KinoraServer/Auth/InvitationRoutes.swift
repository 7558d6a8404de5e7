import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

/// `/api/v1/invitations` (admin): invitation codes for sign-up. A code is shown once, when
/// made; the database keeps its SHA-256.
struct InvitationRoutes {
    let database: KinoraDatabase
    let defaultRole: Role

    struct Body: Decodable {
        var role: String?
        var maxUses: Int?
        var expiresInDays: Int?

        enum CodingKeys: String, CodingKey {
            case role
            case maxUses = "max_uses", expiresInDays = "expires_in_days"
        }
    }

    var invitations: Invitations { Invitations(database: database, defaultRole: defaultRole) }

    func register(on router: Router<KinoraRequestContext>) {
        router.post("api/v1/invitations") { request, context in
            try Access.admin.check(context)
            let body = try await request.decodeJSON(as: Body.self, emptyAsObject: true)
            let (invitation, code) = try invitations.create(
                role: body.role, maxUses: body.maxUses, expiresInDays: body.expiresInDays,
                createdBy: context.principal?.userID)
            var object = Self.object(invitation)
            object["code"] = code
            return AccountRequests.noStore(try JSONResponse.make(.created, object))
        }
        router.get("api/v1/invitations") { _, context in
            try Access.admin.check(context)
            return try JSONResponse.make(.ok, ["items": try invitations.list().map { Self.object($0) }])
        }
        router.delete("api/v1/invitations/:id") { _, context in
            try Access.admin.check(context)
            try invitations.delete(id: context.parameters.get("id") ?? "")
            return Response(status: .noContent)
        }
    }

    static func object(_ invitation: InvitationRecord) -> [String: Any] {
        [
            "id": invitation.id, "role": invitation.role, "max_uses": invitation.maxUses, "uses": invitation.uses,
            "remaining_uses": invitation.remainingUses, "created_by": invitation.createdBy ?? NSNull(),
            "created_at": AccountRequests.iso(invitation.createdAt), "expires_at": AccountRequests.iso(invitation.expiresAt),
            "expired": invitation.expiresAt <= Date(),
        ]
    }
}
