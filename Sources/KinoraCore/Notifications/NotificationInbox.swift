import Foundation
import KinoraConfiguration
import KinoraStore

/// An account's notifications and its choices of what it hears on which channel.
public struct NotificationInbox: Sendable {
    let database: KinoraDatabase
    let config: NotificationConfig

    public init(database: KinoraDatabase, config: NotificationConfig) {
        self.database = database
        self.config = config
    }

    public func page(_ me: Profile, limit: Int, cursor: String?) throws -> InboxPage {
        try database.inbox.page(userID: me.id, limit: limit, cursor: cursor)
    }

    public func markRead(_ me: Profile, id: String) throws {
        guard let number = Int64(id), try database.inbox.markRead(userID: me.id, id: number) else {
            throw Refused(.notFound, "no notification \(id)")
        }
    }

    @discardableResult
    public func markAllRead(_ me: Profile) throws -> Int {
        try database.inbox.markAllRead(userID: me.id)
    }

    /// Every optional event with each channel kind on or off: stored choices over defaults.
    /// Security mail is listed as always on, and cannot be changed.
    public func preferences(_ me: Profile) throws -> [String: [String: Bool]] {
        let chosen = try database.notificationPreferences.choices(userID: me.id)
        var result: [String: [String: Bool]] = [:]
        for event in NotificationConfig.optionalEvents {
            let defaults = config.defaults[event] ?? []
            for kind in NotificationConfig.channelKinds {
                result[event, default: [:]][kind] = chosen[event]?[kind] ?? defaults.contains(kind)
            }
        }
        return result
    }

    /// The account's quiet hours, nil when it has none.
    public func quietHours(_ me: Profile) throws -> QuietHours? {
        try database.notificationSettings.quietHours(userID: me.id)
    }

    /// `{"start": "22:00", "end": "07:00", "time_zone": "Europe/Paris"}`, or null for none.
    public func setQuietHours(_ me: Profile, _ value: JSONValue) throws {
        if value.isNull { return try database.notificationSettings.setQuietHours(userID: me.id, nil) }
        guard let object = value.objectValue else { throw InvalidField("quiet_hours", "quiet_hours must be an object or null") }
        try BodyFields.refuseUnknownKeys(object, allowed: ["start", "end", "time_zone"])
        func minutes(_ key: String) throws -> Int {
            let parts = (object[key]?.stringValue ?? "").split(separator: ":")
            guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour),
                (0..<60).contains(minute)
            else { throw InvalidField("quiet_hours.\(key)", "quiet_hours.\(key) must be a time of day as HH:MM (24-hour clock)") }
            return hour * 60 + minute
        }
        let (start, end) = (try minutes("start"), try minutes("end"))
        guard let zone = object["time_zone"]?.stringValue, TimeZone(identifier: zone) != nil else {
            throw InvalidField("quiet_hours.time_zone", "quiet_hours.time_zone must be an IANA time zone such as Europe/Paris")
        }
        guard start != end else { throw InvalidField("quiet_hours.end", "quiet_hours.end must differ from its start") }
        try database.notificationSettings.setQuietHours(userID: me.id, QuietHours(start: start, end: end, timeZone: zone))
    }

    public func digest(_ me: Profile) throws -> Bool {
        try database.notificationSettings.digest(userID: me.id)
    }

    /// `true`: mail of one kind goes out at most once per `[notifications] digest_window_seconds`.
    public func setDigest(_ me: Profile, _ value: JSONValue) throws {
        guard let on = value.boolValue else { throw InvalidField("digest", "digest must be true or false") }
        try database.notificationSettings.setDigest(userID: me.id, on)
    }

    /// Applies `{"event": {"channel": bool}}`; events and channels left out keep their value.
    public func setPreferences(_ me: Profile, _ body: [String: JSONValue]) throws -> [String: [String: Bool]] {
        var changes: [(event: String, channel: String, enabled: Bool)] = []
        for (event, value) in body.sorted(by: { $0.key < $1.key }) {
            if let known = NotificationEvent(rawValue: event), known.isSecurity {
                throw InvalidField(event, "\(event) is security mail and always sent")
            }
            guard NotificationConfig.optionalEvents.contains(event) else {
                throw UnknownField(event, known: NotificationConfig.optionalEvents.sorted(), noun: "an event with choices")
            }
            guard case .object(let channels) = value else {
                throw InvalidField(event, "\(event) must be an object of channels to booleans (\(NotificationConfig.channelKinds.sorted().joined(separator: ", ")))")
            }
            for (channel, choice) in channels.sorted(by: { $0.key < $1.key }) {
                guard NotificationConfig.channelKinds.contains(channel) else {
                    throw InvalidField("\(event).\(channel)", "no channel \(channel); channels: \(NotificationConfig.channelKinds.sorted().joined(separator: ", "))")
                }
                guard let enabled = choice.boolValue else { throw InvalidField("\(event).\(channel)", "must be true or false") }
                changes.append((event, channel, enabled))
            }
        }
        try database.notificationPreferences.set(userID: me.id, changes)
        return try preferences(me)
    }

    /// Follows a one-click unsubscribe link: the account stops hearing of the event on the
    /// channel. Throws ``Refused`` (`badUnsubscribeToken`) for a forged or expired token.
    public func unsubscribe(token text: String, key: [UInt8], now: Date = Date()) throws -> UnsubscribeToken {
        guard let token = UnsubscribeToken.open(text, key: key, now: now), NotificationConfig.optionalEvents.contains(token.event),
            try database.users.find(id: token.userID) != nil
        else {
            throw Refused(.badUnsubscribeToken, "this unsubscribe link is not valid or has expired")
        }
        try database.notificationPreferences.set(userID: token.userID, [(token.event, token.channel, false)], now: now)
        return token
    }
}
