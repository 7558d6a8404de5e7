import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

/// The one-click unsubscribe link of every mail but security mail (RFC 8058). `GET` shows a
/// page with a button (link scanners and previews fetch links, and must not unsubscribe
/// anyone); `POST` unsubscribes: a mail client's one-click button sends
/// `List-Unsubscribe=One-Click`, the page's button the same. Neither needs a sign-in: the
/// token says who and what, signed with the cluster's key.
struct UnsubscribeRoutes {
    let inbox: NotificationInbox
    let key: [UInt8]
    let web: WebRoutes

    func register(on router: Router<KinoraRequestContext>) {
        router.get("notifications/unsubscribe/:token") { _, context in
            try Access.anyone.check(context)
            let token = context.parameters.get("token") ?? ""
            guard let opened = UnsubscribeToken.open(token, key: key) else { return try await refused(context) }
            return try await web.page(
                "unsubscribe", context, title: "Unsubscribe",
                ["confirm": true, "event": Self.describe(opened.event), "channel": Self.channelName(opened.channel), "action": "/notifications/unsubscribe/\(token)"])
        }
        router.post("notifications/unsubscribe/:token") { _, context in
            try Access.anyone.check(context)
            do {
                let done = try inbox.unsubscribe(token: context.parameters.get("token") ?? "", key: key)
                return try await web.page(
                    "unsubscribe", context, title: "Unsubscribed", ["done": true, "event": Self.describe(done.event), "channel": Self.channelName(done.channel)])
            } catch let refusal as Refused where refusal.problemType == .badUnsubscribeToken {
                return try await refused(context)
            }
        }
    }

    /// A forged, damaged or expired link: 400, and nothing changed.
    func refused(_ context: KinoraRequestContext) async throws -> Response {
        try await web.page(
            "unsubscribe", context, title: "Invalid unsubscribe link",
            ["invalid": true], status: .badRequest)
    }

    static func describe(_ event: String) -> String {
        switch event {
        case "video.published": "new videos from channels you follow"
        case "comment.reply": "replies to your comments"
        case "comment.mention": "mentions of you in comments"
        case "moderation.decision": "moderators' decisions about your content"
        default: event
        }
    }

    static func channelName(_ kind: String) -> String {
        switch kind {
        case "email": "mail"
        case "webpush": "browser notifications"
        case "phone": "text messages"
        case "in_app": "the notifications page"
        default: kind
        }
    }
}
