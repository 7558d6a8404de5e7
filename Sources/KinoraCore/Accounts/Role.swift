/// Account roles, most powerful first.
public enum Role: String, Sendable, CaseIterable {
    case admin, moderator, creator, viewer
}
