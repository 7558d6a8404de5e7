import Foundation
import Hummingbird
import KinoraStore

/// The browser sessions of an account, by their public id (a prefix of the stored hash, never
/// the cookie): `/api/v1/me/sessions` for the account's own settings page, and
/// `/api/v1/users/{id}/sessions` for the admin console (list, and end them all).
struct SessionListRoutes {
    let database: KinoraDatabase
    let sessions: Sessions

    func register(on router: Router<KinoraRequestContext>) {
        router.get("api/v1/me/sessions") { request, context in
            let profile = try SignedIn.profile(context, database: database)
            return try list(userID: profile.id, current: try sessions.current(request)?.session)
        }
        router.delete("api/v1/me/sessions/:id") { _, context in
            let profile = try SignedIn.profile(context, database: database)
            let id = context.parameters.get("id") ?? ""
            // Another account's session is as unknown as one that never was.
            guard try database.sessions.delete(publicID: id, userID: profile.id) else {
                throw Problem.notFound("no session \(id.prefix(64)) of yours")
            }
            return Response(status: .noContent)
        }
        router.get("api/v1/users/:id/sessions") { _, context in
            try Access.admin.check(context)
            return try list(userID: try user(context).id, current: nil)
        }
        router.delete("api/v1/users/:id/sessions") { _, context in
            try Access.admin.check(context)
            let target = try user(context)
            let ended = try database.sessions.deleteAll(userID: target.id)
            context.logger.info("ended \(ended) sessions of \(target.username)")
            return Response(status: .noContent)
        }
    }

    func user(_ context: KinoraRequestContext) throws -> UserRecord {
        let id = context.parameters.get("id") ?? ""
        guard let user = try database.users.find(id: id) else { throw Problem.notFound("no user \(id.prefix(64))") }
        return user
    }

    /// Live sessions only: an idle one is dead though its row waits for the next sweep.
    func list(userID: String, current: SessionRecord?) throws -> Response {
        let idleSince = Date().addingTimeInterval(-sessions.idle)
        let now = Date()
        let items: [[String: Any]] = try database.sessions.list(userID: userID)
            .filter { $0.expiresAt > now && $0.lastSeenAt > idleSince }
            .map { session -> [String: Any] in
                ["id": session.publicID, "created_at": AccountRequests.iso(session.createdAt),
                 "last_seen_at": AccountRequests.iso(session.lastSeenAt), "expires_at": AccountRequests.iso(session.expiresAt),
                 "current": session.tokenHash == current?.tokenHash,
                 "user_agent": session.userAgent.map { UserAgentSummary.describe($0) as Any } ?? NSNull()]
            }
        var response = try JSONResponse.make(.ok, ["items": items])
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
