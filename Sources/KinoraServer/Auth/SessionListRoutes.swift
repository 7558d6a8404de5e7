import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

/// The browser sessions of an account, by their public id (a prefix of the stored hash, never
/// the cookie): `/api/v1/me/sessions` for the account's own settings page, and
/// `/api/v1/users/{id}/sessions` for the admin console (list, and end them all).
struct SessionListRoutes {
    let database: KinoraDatabase
    let sessions: Sessions

    var list: SessionList { SessionList(database: database, idle: sessions.idle) }

    func register(on router: Router<KinoraRequestContext>) {
        router.get("api/v1/me/sessions") { request, context in
            let profile = try SignedIn.profile(context, database: database)
            return try answer(try list.live(userID: profile.id), current: try sessions.current(request)?.session)
        }
        router.delete("api/v1/me/sessions/:id") { _, context in
            let profile = try SignedIn.profile(context, database: database)
            try list.end(publicID: context.parameters.get("id") ?? "", userID: profile.id)
            return Response(status: .noContent)
        }
        router.get("api/v1/users/:id/sessions") { _, context in
            try Access.admin.check(context)
            return try answer(try list.live(userID: try user(context).id), current: nil)
        }
        router.delete("api/v1/users/:id/sessions") { _, context in
            try Access.admin.check(context)
            let target = try user(context)
            let ended = try list.endAll(userID: target.id)
            context.logger.info("ended \(ended) sessions of \(target.username)")
            return Response(status: .noContent)
        }
    }

    func user(_ context: KinoraRequestContext) throws -> UserRecord {
        try UserAdministration(database: database) {}.user(id: context.parameters.get("id") ?? "")
    }

    func answer(_ live: [SessionRecord], current: SessionRecord?) throws -> Response {
        let items: [[String: Any]] = live.map { session -> [String: Any] in
            [
                "id": session.publicID, "created_at": AccountRequests.iso(session.createdAt),
                "last_seen_at": AccountRequests.iso(session.lastSeenAt), "expires_at": AccountRequests.iso(session.expiresAt),
                "current": session.tokenHash == current?.tokenHash,
                "user_agent": session.userAgent.map { UserAgentSummary.describe($0) as Any } ?? NSNull(),
            ]
        }
        var response = try JSONResponse.make(.ok, ["items": items])
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
