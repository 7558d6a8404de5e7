import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

/// The channels a client can set up (`GET /api/v1/notify/channels`, with Web Push's key), the
/// account's browsers subscribed to Web Push, and its phone number with the texted code that
/// proves it (``NotificationAddresses``).
struct NotificationAddressRoutes {
    let database: KinoraDatabase
    let addresses: NotificationAddresses

    func register(on router: Router<KinoraRequestContext>) {
        router.get("api/v1/notify/channels") { _, context in
            try Access.authenticated.check(context)
            let items = addresses.channels.map { ["name": $0.name, "address_kind": $0.kind, "info": $0.info.objectValue?.compactMapValues(\.stringValue) ?? [:]] as [String: Any] }
            return try JSONResponse.make(.ok, ["items": items])
        }
        router.get("api/v1/me/push-subscriptions") { _, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            return try JSONResponse.make(.ok, ["items": try addresses.pushSubscriptions(me).map(Self.object)])
        }
        router.post("api/v1/me/push-subscriptions") { request, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let stored = try addresses.addPush(me, try await request.jsonMembers(), userAgent: request.headers[.userAgent])
            return try JSONResponse.make(.created, Self.object(stored))
        }
        router.delete("api/v1/me/push-subscriptions/:id") { _, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            try addresses.removePush(me, id: context.parameters.get("id") ?? "")
            return Response(status: .noContent)
        }
        router.get("api/v1/me/phone") { _, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let phone = try addresses.phone(me)
            return try JSONResponse.make(
                .ok, ["phone": phone.verified.map { $0 as Any } ?? NSNull(), "verified": phone.verified != nil, "pending": phone.pending.map { $0 as Any } ?? NSNull()])
        }
        router.put("api/v1/me/phone") { request, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let expires = try await addresses.startPhone(me, try await request.jsonMembers(), requestID: context.requestID)
            return try JSONResponse.make(.accepted, ["code_sent": true, "expires_at": SocialHTTP.date(expires)])
        }
        router.post("api/v1/me/phone/verify") { request, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let phone = try addresses.confirmPhone(me, try await request.jsonMembers())
            return try JSONResponse.make(.ok, ["phone": phone, "verified": true, "pending": NSNull()])
        }
        router.delete("api/v1/me/phone") { _, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            try addresses.removePhone(me)
            return Response(status: .noContent)
        }
    }

    static func object(_ subscription: PushSubscription) -> [String: Any] {
        [
            "id": subscription.id, "endpoint": subscription.endpoint, "user_agent": subscription.userAgent.map { $0 as Any } ?? NSNull(),
            "created_at": SocialHTTP.date(subscription.createdAt),
        ]
    }
}
