import Foundation
import HTTPTypes
import Hummingbird
import KinoraConfiguration
import KinoraCore
import KinoraStore
import NIOCore
import ServiceLifecycle

/// The in-app inbox (list, read, read all, a live stream) and the choices of what an account
/// hears on which channel (``NotificationInbox``).
struct NotificationRoutes {
    let database: KinoraDatabase
    let inbox: NotificationInbox
    /// How often the live stream looks for new rows; a second keeps it cheap and prompt.
    var interval: Duration = .seconds(1)

    func register(on router: Router<KinoraRequestContext>) {
        router.get("api/v1/me/notifications") { request, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let page = try inbox.page(me, limit: SocialHTTP.limit(request), cursor: SocialHTTP.cursor(request))
            return try JSONResponse.make(
                .ok,
                [
                    "items": page.items.map(Self.object), "next_cursor": page.nextCursor.map { $0 as Any } ?? NSNull(),
                    "unread_count": page.unreadCount,
                ])
        }
        router.post("api/v1/me/notifications/read-all") { _, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            let marked = try inbox.markAllRead(me)
            return try JSONResponse.make(.ok, ["marked": marked, "unread_count": 0])
        }
        router.post("api/v1/me/notifications/:id/read") { _, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            try inbox.markRead(me, id: context.parameters.get("id") ?? "")
            return Response(status: .noContent)
        }
        router.get("api/v1/me/notifications/events") { request, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            // A reconnecting EventSource sends the last id it saw; a new one starts from now.
            let resume = request.headers[.lastEventID].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
            // Streams end after an hour (or `max_seconds`) and EventSource reconnects with its
            // last id: no proxy or load balancer holds one connection for days.
            let limit = request.uri.queryParameters.get("max_seconds").map { Int($0) }
            if let limit, limit.map({ !(1...3600).contains($0) }) ?? true {
                throw Problem(.invalidParameter, detail: "max_seconds must be a whole number of seconds from 1 to 3600", extra: ["parameter": "max_seconds"])
            }
            return try stream(userID: me.id, after: resume ?? database.inbox.latestID(userID: me.id), for: .seconds(limit.flatMap { $0 } ?? 3600))
        }
        router.get("api/v1/me/notification-preferences") { _, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            return try JSONResponse.make(.ok, try preferences(me))
        }
        router.put("api/v1/me/notification-preferences") { request, context in
            try Access.authenticated.check(context)
            let me = try SignedIn.profile(context, database: database)
            var body = try await request.jsonMembers()
            if let quiet = body.removeValue(forKey: "quiet_hours") { try inbox.setQuietHours(me, quiet) }
            if let digest = body.removeValue(forKey: "digest") { try inbox.setDigest(me, digest) }
            let events = body.removeValue(forKey: "events")?.objectValue ?? body
            _ = try inbox.setPreferences(me, events)
            return try JSONResponse.make(.ok, try preferences(me))
        }
    }

    func preferences(_ me: Profile) throws -> [String: Any] {
        let quiet: Any =
            try inbox.quietHours(me).map {
                ["start": Self.clock($0.start), "end": Self.clock($0.end), "time_zone": $0.timeZone] as [String: Any]
            } ?? NSNull()
        return ["events": try inbox.preferences(me), "security": Self.security, "quiet_hours": quiet, "digest": try inbox.digest(me)]
    }

    static func clock(_ minutes: Int) -> String {
        let (hour, minute) = (minutes / 60, minutes % 60)
        return (hour < 10 ? "0" : "") + String(hour) + ":" + (minute < 10 ? "0" : "") + String(minute)
    }

    /// Security mail, listed so a client can show it as always on.
    static let security = NotificationEvent.allCases.filter(\.isSecurity).map(\.rawValue)

    static func object(_ item: InboxItem) -> [String: Any] {
        [
            "id": String(item.id), "event": item.event,
            "data": (try? JSONSerialization.jsonObject(with: Data(item.data.utf8))) ?? [:],
            "created_at": SocialHTTP.date(item.createdAt), "read": item.readAt != nil,
            "read_at": item.readAt.map { SocialHTTP.date($0) as Any } ?? NSNull(),
        ]
    }

    /// Server-Sent Events: a `notification` event per new row (its id is the row's, so a
    /// reconnect resumes exactly), an `unread` event with the count after each batch, and a
    /// comment every second otherwise.
    func stream(userID: String, after start: Int64, for limit: Duration) throws -> Response {
        let database = self.database
        let interval = self.interval
        let body = ResponseBody { writer in
            let started = ContinuousClock.now
            var last = start
            try await writer.write(ByteBuffer(string: "retry: 3000\nevent: unread\ndata: {\"unread_count\":\(try database.inbox.unreadCount(userID: userID))}\n\n"))
            // A client that went away is noticed at the next write, so a stopping daemon must not
            // wait for that: the stream ends with the shutdown and EventSource reconnects elsewhere.
            while !Task.isCancelled, !Task.isShuttingDownGracefully, ContinuousClock.now - started < limit {
                let items = try database.inbox.after(userID: userID, id: last)
                if !items.isEmpty {
                    var text = ""
                    for item in items {
                        let data = String(decoding: try JSONWriter.bytes(Self.object(item)), as: UTF8.self)
                        text += "id: \(item.id)\nevent: notification\ndata: \(data)\n\n"
                        last = item.id
                    }
                    text += "event: unread\ndata: {\"unread_count\":\(try database.inbox.unreadCount(userID: userID))}\n\n"
                    try await writer.write(ByteBuffer(string: text))
                } else {
                    // A comment each round: a client that went away is noticed by the next write,
                    // not 15 s later, so its loop ends at once (and proxies keep the stream).
                    try await writer.write(ByteBuffer(string: ":\n\n"))
                }
                try await Task.sleep(for: interval)
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", .accelBuffering: "no"], body: body)
    }
}

extension HTTPField.Name {
    static let lastEventID = Self("Last-Event-ID")!
}
