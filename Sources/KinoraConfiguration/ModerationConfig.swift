/// `[moderation]`: the policy comments and video metadata pass through. Without the table no
/// classifier runs (moderation is opt-in); the limits on comments hold either way.
///
/// ```toml
/// [moderation]
/// classifiers = ["wordlist", "spam"]   # kinora.moderation/1 instances, in plugins.d
/// hold_score = 0.5                     # held for review at or above
/// remove_score = 0.9                   # removed at once strictly above
/// reports_to_hide = 3                  # distinct reporters before a video or comment is hidden
/// on_failure = "hold"                  # a classifier that fails or times out: "hold" or "publish"
/// ```
public struct ModerationConfig: Sendable, Equatable {
    public enum FailureAction: String, Sendable { case hold, publish }

    /// Instance names of `kinora.moderation/1` plugins, asked in this order.
    public var classifiers: [String] = []
    public var holdScore = 0.5
    public var removeScore = 0.9
    public var reportsToHide = 3
    public var onFailure = FailureAction.hold
    /// Milliseconds a classifier gets per call before it counts as failed.
    public var classifierTimeoutMs = 500
    /// Hours an account must exist before its comments may carry links.
    public var newAccountLinkHours: Double = 24
    /// Comments one account may post per minute.
    public var commentsPerMinute = 10
    /// Links one comment may carry.
    public var maxLinks = 5
    /// Characters (not bytes) a comment may hold.
    public var maxCommentCharacters = 10_000

    public init() {}

    static let schema = #"""
        {"type":"object","additionalProperties":false,"properties":{
          "classifiers":{"type":"array","uniqueItems":true,"items":{"type":"string","pattern":"^[A-Za-z0-9_-]{1,64}$"}},
          "hold_score":{"type":"number","minimum":0,"maximum":1},
          "remove_score":{"type":"number","minimum":0,"maximum":1},
          "reports_to_hide":{"type":"integer","minimum":1,"maximum":100000},
          "on_failure":{"enum":["hold","publish"]},
          "classifier_timeout_ms":{"type":"integer","minimum":1,"maximum":60000},
          "new_account_link_hours":{"type":"number","minimum":0,"maximum":87600},
          "comments_per_minute":{"type":"integer","minimum":1,"maximum":100000},
          "max_links":{"type":"integer","minimum":0,"maximum":1000},
          "max_comment_chars":{"type":"integer","minimum":1,"maximum":100000}}}
        """#

    mutating func apply(_ value: JSONValue?) throws(ConfigError) {
        guard let value else { return }
        classifiers = value["classifiers"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if let score = value["hold_score"]?.doubleValue { holdScore = score }
        if let score = value["remove_score"]?.doubleValue { removeScore = score }
        if let count = value["reports_to_hide"]?.intValue { reportsToHide = Int(count) }
        if let action = value["on_failure"]?.stringValue.flatMap(FailureAction.init(rawValue:)) { onFailure = action }
        if let ms = value["classifier_timeout_ms"]?.intValue { classifierTimeoutMs = Int(ms) }
        if let hours = value["new_account_link_hours"]?.doubleValue { newAccountLinkHours = hours }
        if let count = value["comments_per_minute"]?.intValue { commentsPerMinute = Int(count) }
        if let count = value["max_links"]?.intValue { maxLinks = Int(count) }
        if let count = value["max_comment_chars"]?.intValue { maxCommentCharacters = Int(count) }
        guard removeScore >= holdScore else {
            throw ConfigError(file: "", key: "moderation.remove_score", "\(removeScore) is below moderation.hold_score (\(holdScore)): nothing could be held")
        }
    }
}
