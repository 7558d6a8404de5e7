import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraStore

/// Makes the `kinora.notify/1` message of an outbox row at delivery time: the recipient's
/// current address, language and choice count, not those of when the event was raised.
public struct MessageRenderer: Sendable {
    public enum Rendered: Sendable, Equatable {
        case message(String)
        /// The account has gone, has no address for the channel, or no longer wants this.
        case nothingToSend(String)
    }

    let database: KinoraDatabase
    let templates: NotificationTemplates
    let config: NotificationConfig
    /// Where links in messages point: `[server] public_url`.
    let siteURL: String
    let unsubscribeKey: [UInt8]

    public init(database: KinoraDatabase, templates: NotificationTemplates, config: NotificationConfig, siteURL: String, unsubscribeKey: [UInt8]) {
        self.database = database
        self.templates = templates
        self.config = config
        self.siteURL = siteURL.hasSuffix("/") ? String(siteURL.dropLast()) : siteURL
        self.unsubscribeKey = unsubscribeKey
    }

    public func render(_ message: OutboxMessage, for channel: NotifyClient) throws -> Rendered {
        guard let event = NotificationEvent(rawValue: message.event) else { return .nothingToSend("unknown event \(message.event)") }
        var values = (try? JSONSerialization.jsonObject(with: Data(message.data.utf8)) as? [String: String]) ?? [:]
        values["site_url"] = siteURL
        values["preferences_url"] = siteURL + "/settings/notifications"
        if let video = values["video_id"] { values["video_url"] = siteURL + "/watch/" + video }
        if event == .newSignIn { values["sessions_url"] = siteURL + "/settings/sessions" }
        var object: [String: Any] = [
            "idempotency_key": message.idempotencyKey, "event": event.rawValue, "data": values.filter { !$0.key.hasSuffix("_url") || $0.key == "video_url" },
        ]
        var language = "en"
        var headers: [String: String] = [:]
        if let userID = message.userID {
            guard let user = try database.users.find(id: userID), !user.disabled else { return .nothingToSend("the account is gone or disabled") }
            values["user_name"] = user.displayName.isEmpty ? user.username : user.displayName
            object["to_name"] = values["user_name"]
            if let chosen = Preferences(json: try database.preferences.json(userID: userID)).stored["language"]?.stringValue { language = chosen }
            let kind = channel.addressKind == "none" ? "webhook" : channel.addressKind
            if !event.isSecurity {
                let wants = try database.notificationPreferences.isEnabled(
                    userID: userID, event: event.rawValue, channel: kind, byDefault: config.defaults[event.rawValue]?.contains(kind) ?? false)
                guard wants else { return .nothingToSend("the account no longer wants \(event.rawValue) by \(kind)") }
                let token = UnsubscribeToken(userID: userID, event: event.rawValue, channel: kind, expires: Date().addingTimeInterval(UnsubscribeToken.lifetime))
                let link = siteURL + "/notifications/unsubscribe/" + token.sealed(key: unsubscribeKey)
                values["unsubscribe_url"] = link
                if channel.addressKind == "email" {
                    // RFC 8058: a mail client's one-click button POSTs "List-Unsubscribe=One-Click" to the link.
                    headers["List-Unsubscribe"] = "<\(link)>"
                    headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
                }
            }
            switch channel.addressKind {
            case "email":
                guard let email = try database.users.email(id: userID), email.verified || event.isSecurity else {
                    return .nothingToSend("the account has no verified mail address")
                }
                object["to"] = email.address
            case "phone":
                guard let phone = try database.addresses.verifiedPhone(userID: userID) else {
                    return .nothingToSend("the account has no verified phone number")
                }
                object["to"] = phone
            case "webpush":
                guard let id = message.addressID, let subscription = try database.addresses.pushSubscription(id: id), subscription.userID == userID else {
                    return .nothingToSend("the browser's push subscription is gone")
                }
                object["to"] = ["endpoint": subscription.endpoint, "keys": ["p256dh": subscription.p256dh, "auth": subscription.auth]]
            case "none": break
            default: return .nothingToSend("the account has no \(channel.addressKind) address")
            }
        }
        object["language"] = language
        guard let subject = templates.render(event, .subject, language: language, values: values),
            let text = templates.render(event, .text, language: language, values: values)
        else {
            throw TemplateMissing(event: event.rawValue, language: language)
        }
        object["subject"] = subject.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\n", with: " ")
        object["text"] = text
        if let html = templates.render(event, .html, language: language, values: values) { object["html"] = html }
        object["headers"] = headers
        return .message(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
    }
}

/// No folder has the subject or text template of an event in English: a broken installation.
public struct TemplateMissing: Error, CustomStringConvertible {
    public let event: String
    public let language: String
    public var description: String { "no \(event) subject or text template for \(language) or en (share/notifications)" }
}

extension MessageRenderer {
    /// One message for several of one account, event and channel (its digest): each rendered
    /// as usual for its subject, then the digest templates around the list. A single message
    /// goes out as itself. The key is the first message's, marked, so a retry keeps it.
    public func renderDigest(_ messages: [OutboxMessage], for channel: NotifyClient) throws -> Rendered {
        var first: [String: Any]?
        var items: [[String: String]] = []
        var skipped: String?
        for message in messages {
            switch try render(message, for: channel) {
            case .message(let json):
                guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { continue }
                if first == nil { first = object }
                items.append(["subject": object["subject"] as? String ?? ""])
            case .nothingToSend(let why): skipped = skipped ?? why
            }
        }
        guard var object = first else { return .nothingToSend(skipped ?? "nothing left to send") }
        if items.count > 1 {
            let language = object["language"] as? String
            var values: [String: Any] = [
                "count": String(items.count), "items": items, "user_name": object["to_name"] as? String ?? "", "site_url": siteURL,
                "preferences_url": siteURL + "/settings/notifications",
            ]
            if let link = (object["headers"] as? [String: String])?["List-Unsubscribe"] { values["unsubscribe_url"] = String(link.dropFirst().dropLast()) }
            guard let subject = templates.renderDigest(.subject, language: language, values: values),
                let text = templates.renderDigest(.text, language: language, values: values)
            else { throw TemplateMissing(event: NotificationTemplates.digestName, language: language ?? "en") }
            object["subject"] = subject.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\n", with: " ")
            object["text"] = text
            object["html"] = templates.renderDigest(.html, language: language, values: values)
            object["idempotency_key"] = "\(messages[0].idempotencyKey)-digest"
            object["data"] = ["count": String(items.count)]
        }
        return .message(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
    }
}
