import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraStore
import Metrics

/// Raises notification events: for each, the accounts that hear of it get an inbox row and
/// an outbox row per channel they chose. Raising one again (a retried request, a
/// retranscode) adds nothing (each row's key names the occurrence). Given accounts are one
/// transaction; a channel's subscribers are written 5,000 per transaction with the fan-out's
/// place kept beside them, so a stop halfway is taken up at the next start and the writer is
/// never held for long. Delivery is ``NotificationDelivery``'s job.
///
/// Channels are the started `kinora.notify/1` instances: per address kind (`email`, …) the
/// first by name carries personal messages; every instance of kind `none` (a webhook) gets
/// each new video once, for chat bridges.
public struct Notifier: Sendable {
    let database: KinoraDatabase
    let registry: PluginRegistry
    let config: NotificationConfig

    public init(database: KinoraDatabase, registry: PluginRegistry, config: NotificationConfig) {
        self.database = database
        self.registry = registry
        self.config = config
    }

    /// Tells the subscribers of the video's channel, once, that it is out: called when a
    /// video is ready, and again when a scheduled one's time comes (the key makes it once).
    public func videoPublished(_ videoID: String, now: Date = Date()) throws {
        guard let video = try database.videos.find(videoID), video.status == "ready", video.visibility == "public", !video.moderationHold,
            video.publishAt.map({ $0 <= now }) ?? true, let channelID = video.channelID
        else { return }
        let channel = try database.channels.find(id: channelID)
        let data: [String: String] = [
            "video_id": video.id, "video_title": video.title, "channel_id": channelID, "channel_name": channel?.name ?? "",
        ]
        try raise(.videoPublished, occurrence: video.id, audience: .subscribers(channelID: channelID), data: data, now: now, broadcast: true)
    }

    /// Goes on with the fan-outs a stop cut short, then announces the scheduled videos whose
    /// time has come (within the last day: a daemon down for a week does not announce a
    /// week of releases at once). Called at start and then every few seconds.
    public func resumeInterrupted(now: Date = Date()) throws {
        for videoID in try database.fanouts.unfinished(event: NotificationEvent.videoPublished.rawValue, since: now.addingTimeInterval(-86_400)) {
            try videoPublished(videoID, now: now)
        }
        for videoID in try database.fanouts.unannouncedReleases(since: now.addingTimeInterval(-86_400), now: now) {
            try videoPublished(videoID, now: now)
        }
    }

    /// A published reply tells the parent comment's author; @mentions tell the accounts named
    /// (neither tells the comment's own author).
    public func commentPosted(_ comment: CommentRecord, now: Date = Date()) throws {
        guard comment.status == .published, let authorID = comment.authorID else { return }
        let video = try database.videos.find(comment.videoID)
        var data: [String: String] = [
            "video_id": comment.videoID, "video_title": video?.title ?? "", "comment_id": comment.id,
            "actor_name": comment.authorDisplayName ?? comment.authorUsername ?? "", "excerpt": Self.excerpt(comment.body),
        ]
        var told: Set<String> = [authorID]
        if let parentID = comment.parentID, let parent = try database.comments.find(parentID), let parentAuthor = parent.authorID,
            !told.contains(parentAuthor)
        {
            data["parent_id"] = parentID
            try raise(.commentReply, occurrence: comment.id, audience: .users([parentAuthor]), data: data, now: now)
            told.insert(parentAuthor)
        }
        let named = CommentText.mentions(comment.body)
        let mentioned = try named.compactMap { try database.users.find(username: $0)?.id }.filter { !told.contains($0) }
        if !mentioned.isEmpty {
            try raise(.commentMention, occurrence: comment.id, audience: .users(Array(Set(mentioned)).sorted()), data: data, now: now)
        }
    }

    /// A moderator's decision about someone's video or comment tells its owner.
    public func moderationDecided(auditID: String, targetType: String, targetID: String, action: String, reason: String, now: Date = Date()) throws {
        let owner: String? =
            switch targetType {
            case "video": try database.videos.find(targetID)?.ownerID
            case "comment": try database.comments.find(targetID)?.authorID
            default: nil
            }
        guard let owner else { return }
        let data = ["target_type": targetType, "target_id": targetID, "action": action, "reason": reason]
        try raise(.moderationDecision, occurrence: auditID, audience: .users([owner]), data: data, now: now)
    }

    /// Mails the account its reset link: security mail, whatever it chose.
    public func passwordReset(userID: String, resetURL: String, expiresMinutes: Int, occurrence: String, now: Date = Date()) throws {
        try raise(
            .passwordReset, occurrence: occurrence, audience: .users([userID]),
            data: ["reset_url": resetURL, "expires_minutes": String(expiresMinutes)], now: now)
    }

    /// Mails the account that it signed in from a browser it had not used before.
    public func newSignIn(userID: String, browser: String, address: String, occurrence: String, now: Date = Date()) throws {
        try raise(
            .newSignIn, occurrence: occurrence, audience: .users([userID]),
            data: ["browser": browser, "address": address, "time": RFC3339.string(now)], now: now)
    }

    /// Writes the event's rows. Security events go to the mail channel only, whatever the
    /// account chose; the others to the inbox and each channel kind as chosen or defaulted.
    func raise(
        _ event: NotificationEvent, occurrence: String, audience: OutboxAudience, data: [String: String], now: Date, broadcast: Bool = false
    ) throws {
        let json = try Self.json(data)
        let prefix = "\(event.rawValue)-\(Self.keySafe(occurrence))-"
        let defaults = config.defaults[event.rawValue] ?? []
        let channels = registry.notifyChannels
        var personal: [OutboxDelivery] = []
        var kindsSeen: Set<String> = []
        for channel in channels where kindsSeen.insert(channel.addressKind).inserted {
            guard let addressing = Self.addressing[channel.addressKind] else { continue }
            // Security mail goes out by mail whatever the account chose (nobody can store a
            // choice for it, and a default of true only skips those who said no); it is never
            // pushed or texted.
            if event.isSecurity {
                if addressing == .email { personal.append(OutboxDelivery(channel: channel.name, kind: "email", byDefault: true, addressing: .email)) }
                continue
            }
            personal.append(
                OutboxDelivery(channel: channel.name, kind: channel.addressKind, byDefault: defaults.contains(channel.addressKind), addressing: addressing))
        }
        if broadcast {
            for channel in channels where channel.addressKind == "none" {
                try database.outbox.enqueue(key: prefix + channel.name, userID: nil, event: event.rawValue, channel: channel.name, data: json, now: now)
            }
        }
        // A channel's subscribers are many: the fan-out keeps its place (a slice at a time), so
        // a stop halfway is taken up at the next start (``resumeInterrupted()``).
        var after: String?
        var progress: String?
        if case .subscribers = audience {
            let state = try database.fanouts.begin(key: prefix, event: event.rawValue, occurrence: occurrence, now: now)
            if state.finished { return }
            after = state.after
            progress = prefix
        }
        let started = DispatchTime.now().uptimeNanoseconds
        repeat {
            after = try database.outbox.fanOut(
                audience, event: event.rawValue, data: json, keyPrefix: prefix, deliveries: personal,
                inApp: event.isSecurity ? nil : defaults.contains("in_app"), after: after, limit: Self.sliceSize, progress: progress, now: now
            ).next
        } while after != nil
        // A channel's 100,000 subscribers are 20 slices; the whole fan-out's time is on /metrics.
        Timer(label: "kinora_notify_fanout_seconds", dimensions: [("event", event.rawValue)])
            .recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
    }

    /// Subscribers per fan-out transaction: a few milliseconds of writing each.
    static let sliceSize = 5_000

    /// The address each channel kind delivers to; the first channel of a kind (by name) carries
    /// that kind's messages.
    static let addressing: [String: OutboxAddressing] = ["email": .email, "phone": .phone, "webpush": .pushSubscriptions]

    /// Keys are made of letters, digits, '.', '_' and '-', so a plugin can put one in a
    /// Message-ID or a header as it is.
    static func keySafe(_ text: String) -> String {
        String(text.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._".unicodeScalars.contains($0) ? Character($0) : "_" })
    }

    static func excerpt(_ text: String) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count <= 140 ? flat : String(flat.prefix(139)) + "…"
    }

    static func json(_ data: [String: String]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: data, options: [.sortedKeys]), as: UTF8.self)
    }
}
