import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraCore
import KinoraStore

/// `/notifications` (an account's inbox and choices) and `/admin/notifications` (the delivery
/// log with each failure's reason, and a test message per channel). Both only render; every
/// change goes through the JSON API, which checks again.
struct NotificationPages {
    let web: WebRoutes
    let admin: AdminRoutes
    let administration: NotificationAdministration

    static let eventLabels: [(String, String)] = [
        ("video.published", "New videos from channels you follow"), ("comment.reply", "Replies to your comments"),
        ("comment.mention", "Mentions of you"), ("moderation.decision", "Moderators' decisions about your content"),
    ]
    static let kindLabels: [(String, String)] = [("in_app", "Here"), ("email", "Mail"), ("webpush", "Browser"), ("phone", "Text message")]

    func register(on router: Router<KinoraRequestContext>) {
        router.get("notifications") { _, context in
            try Access.anyone.check(context)
            guard context.principal?.userID != nil else { return StudioRoutes.signIn(next: "/notifications") }
            let events = Self.eventLabels.map { event in
                [
                    "label": event.1,
                    "cells": Self.kindLabels.map { ["event": event.0, "kind": $0.0, "eventLabel": event.1, "kindLabel": $0.1] },
                ] as [String: Any]
            }
            let kinds = Self.kindLabels.map { ["label": $0.1] }
            return try await web.page("notifications", context, title: "Notifications", ["events": events, "kinds": kinds])
        }
        router.get("admin/notifications") { request, context in
            try Access.anyone.check(context)
            if let refused = try await admin.gate(context, path: "/admin/notifications") { return refused }
            let query = request.uri.queryParameters
            let state = query.get("state").flatMap { NotificationAdministration.states.contains($0) ? $0 : nil }
            let page = try administration.log(state: state, channel: nil, event: nil, before: query.get("cursor").flatMap { Int64($0) }, limit: 50)
            let rows = page.items.map { message -> [String: Any] in
                [
                    "id": String(message.id), "event": message.event, "channel": message.channel, "state": message.state,
                    "attempts": message.attempts, "error": message.lastError ?? "", "updated": SocialHTTP.date(message.updatedAt),
                ]
            }
            let counts = try administration.counts()
            let object: [String: Any] = [
                "nav": AdminViews.nav("notifications", principal: context.principal), "rows": rows, "empty": rows.isEmpty,
                "states": NotificationAdministration.states.sorted().map { ["value": $0, "label": "\($0) (\(counts[$0] ?? 0))", "selected": $0 == state] },
                "channels": administration.channels.map { ["name": $0.name, "kind": $0.kind] },
                "noChannels": administration.channels.isEmpty,
                "next": page.next.map { "/admin/notifications?cursor=\($0)" + (state.map { "&state=\($0)" } ?? "") } ?? "",
            ]
            return try await web.page("admin-notifications", context, title: "Notifications – Admin", object)
        }
    }
}
