import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraCore
import KinoraStore

/// Reports (any account) and the moderation queue, decisions and audit log (moderators and
/// admins), over ``ModerationDesk``.
struct ModerationRoutes {
    let database: KinoraDatabase
    let desk: ModerationDesk

    static let moderators = Access.roles([.moderator, .admin])

    func register(on router: Router<KinoraRequestContext>) {
        router.post("api/v1/reports") { request, context in
            try Access.authenticated.check(context)
            let filed = try desk.report(try await request.jsonMembers(), by: context.viewer)
            return try JSONResponse.make(.created, ["item_id": filed.itemID, "hidden": filed.hidden] as [String: Any])
        }
        router.get("api/v1/moderation/queue") { request, context in
            try Self.moderators.check(context)
            let state = request.uri.queryParameters.get("state").map { String($0) } ?? "open"
            guard state == "open" || state == "resolved" else { throw Refused(.invalidParameter, "state must be open or resolved") }
            let page = try database.moderation.queue(state: state, limit: SocialHTTP.limit(request), cursor: SocialHTTP.cursor(request))
            return try JSONResponse.make(.ok, ["items": page.items.map(Self.item), "next_cursor": page.nextCursor ?? NSNull()] as [String: Any])
        }
        router.post("api/v1/moderation/items/:id/decision") { request, context in
            try Self.moderators.check(context)
            let decided = try desk.decide(
                context.parameters.get("id") ?? "", try await request.jsonMembers(), by: context.viewer, requestID: context.requestID)
            return try JSONResponse.make(.ok, Self.item(decided))
        }
        router.post("api/v1/moderation/decisions") { request, context in
            try Self.moderators.check(context)
            let outcomes = try desk.decideAll(try await request.jsonMembers(), by: context.viewer, requestID: context.requestID)
            return try JSONResponse.make(.ok, ["items": outcomes.map { ["id": $0.id, "status": $0.status] as [String: Any] }] as [String: Any])
        }
        router.post("api/v1/users/:id/lift-restrictions") { request, context in
            try Self.moderators.check(context)
            try desk.lift(userID: context.parameters.get("id") ?? "", try await request.jsonMembers(), by: context.viewer)
            return Response(status: .noContent)
        }
        router.get("api/v1/moderation/audit") { request, context in
            try Self.moderators.check(context)
            let page = try database.moderation.audit(limit: SocialHTTP.limit(request), cursor: SocialHTTP.cursor(request))
            let items: [[String: Any]] = page.items.map { entry in
                [
                    "id": entry.id, "moderator": entry.moderatorID ?? NSNull(), "item_id": entry.itemID ?? NSNull(),
                    "target_type": entry.targetType.rawValue, "target_id": entry.targetID, "action": entry.action.rawValue,
                    "reason": entry.reason, "created_at": SocialHTTP.date(entry.createdAt),
                ]
            }
            return try JSONResponse.make(.ok, ["items": items, "next_cursor": page.nextCursor ?? NSNull()] as [String: Any])
        }
    }

    static func item(_ item: ModerationItem) -> [String: Any] {
        [
            "id": item.id, "target_type": item.targetType.rawValue, "target_id": item.targetID, "state": item.state, "hidden": item.hidden,
            "created_at": SocialHTTP.date(item.createdAt), "updated_at": SocialHTTP.date(item.updatedAt),
            "resolved_at": item.resolvedAt.map(SocialHTTP.date) ?? NSNull(),
            "reports": item.reportCounts,
            "signals": item.signals.map { signal in
                [
                    "kind": signal.kind.rawValue, "source": signal.source, "label": signal.label ?? NSNull(), "score": signal.score ?? NSNull(),
                    "detail": signal.detail ?? NSNull(), "created_at": SocialHTTP.date(signal.createdAt),
                ] as [String: Any]
            },
        ]
    }
}
