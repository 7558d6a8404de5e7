/// Why a video could not be had: unknown or hidden (the same answer, so private ids cannot
/// be probed), or visible but not the caller's to change.
public enum VideoAccessError: DomainError, Equatable {
    case notFound(id: String)
    case notEditable

    public var problemType: ProblemType {
        switch self {
        case .notFound: .notFound
        case .notEditable: .forbidden
        }
    }

    public var detail: String? {
        switch self {
        case .notFound(let id): "no video \(id.prefix(64))"
        case .notEditable: "only the video's owner and admins may change it"
        }
    }
}

/// Why a channel could not be made, changed or deleted.
public enum ChannelError: DomainError, Equatable {
    case notFound(id: String)
    case notOwner
    /// The bootstrap token owns nothing, so it cannot own a channel.
    case noAccount
    /// `[channels] reserved_handles` are for admins; `field` is `handle` (or `username` at signup).
    case handleReserved(field: String, handle: String)
    case handleTaken(String)
    case notEmpty(id: String, videos: Int)

    public var problemType: ProblemType {
        switch self {
        case .notFound: .notFound
        case .notOwner, .noAccount: .forbidden
        case .handleReserved: .handleReserved
        case .handleTaken: .handleTaken
        case .notEmpty: .channelNotEmpty
        }
    }

    public var detail: String? {
        switch self {
        case .notFound(let id): "no channel \(id.prefix(64))"
        case .notOwner: "only the channel's owner and admins may change it"
        case .noAccount: "channels belong to accounts; the bootstrap token has none"
        case .handleReserved(_, let handle): "\"\(handle)\" is reserved for the site's own use; choose another"
        case .handleTaken(let why): why
        case .notEmpty(let id, let videos):
            "channel \(id) has \(videos) videos; delete them first or send force=true to delete them with it"
        }
    }

    public var extra: [String: String] {
        switch self {
        case .handleReserved(let field, _): ["field": field]
        case .handleTaken: ["field": "handle"]
        case .notEmpty(_, let videos): ["videos": String(videos)]
        default: [:]
        }
    }
}

/// Why a category could not be made, renamed or deleted.
public enum CategoryError: DomainError, Equatable {
    case notFound(id: String)
    case exists(id: String)

    public var problemType: ProblemType {
        switch self {
        case .notFound: .notFound
        case .exists: .categoryExists
        }
    }

    public var detail: String? {
        switch self {
        case .notFound(let id): "no category \(id.prefix(40))"
        case .exists(let id): "a category \(id) exists already"
        }
    }

    public var extra: [String: String] {
        if case .exists = self { ["field": "id"] } else { [:] }
    }
}
