/// `[notifications]`: who hears of what until they choose, and how the outbox retries.
/// Every started `kinora.notify/1` instance is a channel without further configuration.
///
/// ```toml
/// [notifications]
/// # the channel kinds each event reaches until an account chooses otherwise
/// defaults = { "video.published" = ["email", "in_app"], "comment.reply" = ["in_app", "email"] }
/// max_attempts = 8            # deliveries tried before a message counts as failed
/// retry_base_seconds = 30     # the first retry's delay; it doubles each time, with jitter
/// retry_max_seconds = 3600    # the longest delay between two attempts
/// concurrency = 8             # messages sent at once by this node
/// digest_window_seconds = 3600  # an account that chose digests gets mail of one kind at most this often
/// templates = "/etc/kinora/templates"   # the operator's overrides of the message templates
/// ```
public struct NotificationConfig: Sendable, Equatable {
    /// The channel kinds an account hears an event on until it chooses: event key → kinds.
    public var defaults: [String: Set<String>] = NotificationConfig.builtInDefaults
    public var maxAttempts = 8
    public var retryBaseSeconds: Double = 30
    public var retryMaxSeconds: Double = 3600
    public var concurrency = 8
    /// How long an account that chose digests waits for more mail of one kind before it goes
    /// out as one message.
    public var digestWindowSeconds: Double = 3600
    /// A folder of templates that replace the bundled ones file by file; nil: none.
    public var templates: String?

    /// A subscriber hears of a new video by mail and in-app; replies, mentions and decisions
    /// about one's content reach the inbox and the mailbox.
    /// A browser that subscribed to Web Push hears of the same; text messages cost money, so
    /// nobody gets them until they choose.
    public static let builtInDefaults: [String: Set<String>] = [
        "video.published": ["email", "in_app", "webpush"],
        "comment.reply": ["email", "in_app", "webpush"],
        "comment.mention": ["email", "in_app", "webpush"],
        "moderation.decision": ["email", "in_app"],
    ]

    /// The events an account may turn off, each with defaults. Security mail (password
    /// reset, a new sign-in) is not among them: it always goes out.
    public static let optionalEvents: Set<String> = Set(builtInDefaults.keys)

    /// The channel kinds a preference can name.
    public static let channelKinds: Set<String> = ["email", "in_app", "webpush", "phone"]

    public init() {}

    static let schema = #"""
        {"type":"object","additionalProperties":false,"properties":{
          "defaults":{"type":"object","additionalProperties":{"type":"array","uniqueItems":true,"items":{"enum":["email","in_app","webpush","phone"]}}},
          "max_attempts":{"type":"integer","minimum":1,"maximum":100},
          "retry_base_seconds":{"type":"number","minimum":0.01,"maximum":86400},
          "retry_max_seconds":{"type":"number","minimum":0.01,"maximum":604800},
          "concurrency":{"type":"integer","minimum":1,"maximum":256},
          "digest_window_seconds":{"type":"number","minimum":1,"maximum":604800},
          "templates":{"type":"string","minLength":1}}}
        """#

    mutating func apply(_ value: JSONValue?) throws(ConfigError) {
        guard let value else { return }
        if let table = value["defaults"]?.objectValue {
            for (event, kinds) in table {
                guard Self.optionalEvents.contains(event) else {
                    throw ConfigError(
                        file: "", key: "notifications.defaults.\(event)",
                        "no such event; events with defaults: \(Self.optionalEvents.sorted().joined(separator: ", "))")
                }
                defaults[event] = Set(kinds.arrayValue?.compactMap(\.stringValue) ?? [])
            }
        }
        if let count = value["max_attempts"]?.intValue { maxAttempts = Int(count) }
        if let seconds = value["retry_base_seconds"]?.doubleValue { retryBaseSeconds = seconds }
        if let seconds = value["retry_max_seconds"]?.doubleValue { retryMaxSeconds = seconds }
        if let count = value["concurrency"]?.intValue { concurrency = Int(count) }
        if let seconds = value["digest_window_seconds"]?.doubleValue { digestWindowSeconds = seconds }
        templates = value["templates"]?.stringValue
        guard retryMaxSeconds >= retryBaseSeconds else {
            throw ConfigError(
                file: "", key: "notifications.retry_max_seconds",
                "\(retryMaxSeconds) is below notifications.retry_base_seconds (\(retryBaseSeconds))")
        }
    }
}

extension KinoraConfig {
    /// Where links in messages point: `[server] public_url`, else the address the daemon
    /// listens on (right for a test or a LAN, wrong behind a proxy: set public_url there).
    public var siteURL: String {
        if let publicURL { return publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL }
        let host = listenHost.contains(":") ? "[\(listenHost)]" : listenHost
        return "http://\(host):\(listenPort)"
    }
}
