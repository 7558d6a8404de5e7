/// Who is asking, as the visibility and ownership rules see it: an account (or none) and
/// whether it acts as an admin. The edge builds one from the request's credentials.
public struct Viewer: Sendable, Hashable {
    /// The caller's account; nil when anonymous or for the bootstrap token (which owns nothing).
    public var userID: String?
    public var isAdmin: Bool
    /// Moderators and admins: they see held and removed comments and decide on them.
    public var isModerator: Bool

    public init(userID: String?, isAdmin: Bool, isModerator: Bool = false) {
        self.userID = userID
        self.isAdmin = isAdmin
        self.isModerator = isModerator || isAdmin
    }

    /// A caller without credentials.
    public static let anonymous = Viewer(userID: nil, isAdmin: false)

    /// Whether the caller owns what `ownerID` owns: an account, never "nobody".
    public func owns(_ ownerID: String?) -> Bool { userID != nil && userID == ownerID }

    /// The owner and admins may change a thing; nobody else.
    public func mayChange(ownedBy ownerID: String?) -> Bool { isAdmin || owns(ownerID) }
}

extension Viewer {
    /// No credentials at all (the bootstrap token is an admin without an account).
    public var isAnonymous: Bool { userID == nil && !isAdmin }
}
