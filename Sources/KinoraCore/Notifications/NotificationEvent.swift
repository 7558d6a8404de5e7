/// The events an account can hear of, by their stable keys. Templates, preferences, the
/// outbox and `kinora.notify/1` messages all name an event by its key.
public enum NotificationEvent: String, Sendable, CaseIterable {
    /// A channel the account subscribes to published a public video.
    case videoPublished = "video.published"
    /// Someone replied to the account's comment.
    case commentReply = "comment.reply"
    /// Someone @mentioned the account in a comment.
    case commentMention = "comment.mention"
    /// A moderator decided about the account's video or comment.
    case moderationDecision = "moderation.decision"
    /// An admin made a password-reset link for the account.
    case passwordReset = "account.password_reset"
    /// The account signed in from a browser it had not used before.
    case newSignIn = "account.new_sign_in"

    /// Security mail: always sent by mail, whatever the account chose, without an unsubscribe
    /// link, and never in a digest.
    public var isSecurity: Bool { self == .passwordReset || self == .newSignIn }

    /// The variables its templates may use (besides those every message has: `user_name`,
    /// `site_url`, `preferences_url`, `unsubscribe_url`). `kinora config check` refuses a
    /// template that names another.
    public var variables: Set<String> {
        switch self {
        case .videoPublished: ["video_id", "video_title", "video_url", "channel_id", "channel_name"]
        case .commentReply, .commentMention: ["video_id", "video_title", "video_url", "comment_id", "actor_name", "excerpt"]
        case .moderationDecision: ["target_type", "target_id", "action", "reason"]
        case .passwordReset: ["reset_url", "expires_minutes"]
        case .newSignIn: ["browser", "address", "time", "sessions_url"]
        }
    }

    /// Variables of every message.
    public static let commonVariables: Set<String> = ["user_name", "site_url", "preferences_url", "unsubscribe_url"]
}
