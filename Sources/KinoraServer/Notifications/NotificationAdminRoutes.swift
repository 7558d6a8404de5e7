import Foundation
import Hummingbird
import KinoraCore
import KinoraHost
import KinoraStore

/// `/api/v1/admin/notifications`: the delivery log with filters and failures' reasons, and
/// `POST /api/v1/admin/notifications/test` to send a test message through one channel. Admins only.
struct NotificationAdminRoutes {
    let administration: NotificationAdministration
    let database: KinoraDatabase

    func register(on router: Router<KinoraRequestContext>) {
        router.get("api/v1/admin/notifications") { request, context in
            try Access.admin.check(context)
            let query = request.uri.queryParameters
            func value(_ name: String) -> String? { query.get(name).flatMap { $0.isEmpty ? nil : $0 } }
            var before: Int64?
            if let cursor = value("cursor") {
                guard let id = Int64(cursor), id > 0 else { throw Problem(.badCursor, detail: "use the next_cursor of an earlier page") }
                before = id
            }
            let page = try administration.log(
                state: value("state"), channel: value("channel"), event: value("event"), before: before,
                limit: try ListingParameters.limit(value("limit")))
            return try JSONResponse.make(
                .ok,
                [
                    "items": page.items.map(Self.object), "next_cursor": page.next.map { String($0) } ?? NSNull(),
                    "counts": try administration.counts(),
                    "channels": administration.channels.map { ["name": $0.name, "address_kind": $0.kind] },
                ])
        }
        router.post("api/v1/admin/notifications/test") { request, context in
            try Access.admin.check(context)
            let body = try await request.jsonMembers()
            guard let channel = body["channel"]?.stringValue, !channel.isEmpty else {
                throw Problem(.invalidField, detail: "name the channel to test in \"channel\"", extra: ["field": "channel"])
            }
            var address = body["to"]?.stringValue
            var name = "admin"
            if let id = context.principal?.userID {
                if address == nil { address = try database.users.email(id: id)?.address }
                if let user = try database.users.find(id: id) { name = user.displayName.isEmpty ? user.username : user.displayName }
            }
            let outcome = try await administration.sendTest(channel: channel, to: address, adminName: name, requestID: context.requestID)
            return try JSONResponse.make(.ok, Self.object(outcome))
        }
    }

    static func object(_ outcome: NotifyOutcome) -> [String: Any] {
        switch outcome {
        case .delivered(let id): ["outcome": "delivered", "provider_id": id.map { $0 as Any } ?? NSNull()]
        case .retryable(let reason, let after): ["outcome": "retryable", "reason": reason, "retry_after_seconds": after.map { $0 as Any } ?? NSNull()]
        case .permanent(let reason, let gone): ["outcome": "permanent", "reason": reason, "address_gone": gone]
        }
    }

    static func object(_ message: OutboxMessage) -> [String: Any] {
        [
            "id": String(message.id), "event": message.event, "channel": message.channel, "user_id": message.userID.map { $0 as Any } ?? NSNull(),
            "state": message.state, "attempts": message.attempts, "error": message.lastError.map { $0 as Any } ?? NSNull(),
            "provider_id": message.providerID.map { $0 as Any } ?? NSNull(), "idempotency_key": message.idempotencyKey,
            "created_at": SocialHTTP.date(message.createdAt), "updated_at": SocialHTTP.date(message.updatedAt),
        ]
    }
}
