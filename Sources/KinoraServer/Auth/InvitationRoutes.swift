import Foundation
import Hummingbird
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

    func register(on router: Router<KinoraRequestContext>) {
        router.post("api/v1/invitations") { request, context in
            try Access.admin.check(context)
            return try await create(request, context)
        }
        router.get("api/v1/invitations") { _, context in
            try Access.admin.check(context)
            let items = try database.invitations.list().map { Self.object($0) }
            return try JSONResponse.make(.ok, ["items": items])
        }
        router.delete("api/v1/invitations/:id") { _, context in
            try Access.admin.check(context)
            let id = context.parameters.get("id") ?? ""
            guard try database.invitations.delete(id: id) else { throw Problem.notFound("no invitation \(id.prefix(64))") }
            return Response(status: .noContent)
        }
    }

    func create(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        let body = try await AccountRequests.decode(Body.self, request)
        let role = try body.role.map { name in
            guard let role = Role(rawValue: name) else {
                throw AccountRequests.invalid("role", "role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return role
        } ?? defaultRole
        let maxUses = body.maxUses ?? 1
        guard (1...10_000).contains(maxUses) else { throw AccountRequests.invalid("max_uses", "max_uses must be from 1 to 10000") }
        let days = body.expiresInDays ?? 7
        guard (1...365).contains(days) else { throw AccountRequests.invalid("expires_in_days", "expires_in_days must be from 1 to 365") }

        // 120 random bits in 24 characters of base32: easy to pass on, impossible to guess.
        let code = RandomID.make(bytes: 15)
        let now = Date()
        let invitation = InvitationRecord(id: RandomID.make(bytes: 10), codeHash: Accounts.hashSecret(code), role: role.rawValue,
                                          maxUses: maxUses, createdBy: context.principal?.userID,
                                          expiresAt: now.addingTimeInterval(TimeInterval(days) * 86400), now: now)
        try database.invitations.create(invitation)
        var object = Self.object(invitation)
        object["code"] = code
        return AccountRequests.noStore(try JSONResponse.make(.created, object))
    }

    static func object(_ invitation: InvitationRecord) -> [String: Any] {
        ["id": invitation.id, "role": invitation.role, "max_uses": invitation.maxUses, "uses": invitation.uses,
         "remaining_uses": invitation.remainingUses, "created_by": invitation.createdBy ?? NSNull(),
         "created_at": AccountRequests.iso(invitation.createdAt), "expires_at": AccountRequests.iso(invitation.expiresAt),
         "expired": invitation.expiresAt <= Date()]
    }
}
