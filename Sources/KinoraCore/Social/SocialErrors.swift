import KinoraStore

/// Why a playlist or one of its items could not be had or changed.
public enum PlaylistError: DomainError, Equatable {
    /// Unknown, or private to someone else (the same answer: private ids cannot be probed).
    case notFound(id: String)
    case notOwner
    /// The playlist or the video went away during the change.
    case gone
    case notInPlaylist(videoID: String)
    case alreadyInPlaylist
    case full(limit: Int)
    case notAPermutation

    public var problemType: ProblemType {
        switch self {
        case .notFound, .gone, .notInPlaylist: .notFound
        case .notOwner: .forbidden
        case .alreadyInPlaylist: .alreadyInPlaylist
        case .full: .playlistFull
        case .notAPermutation: .notAPermutation
        }
    }

    public var detail: String? {
        switch self {
        case .notFound(let id): "no playlist \(id.prefix(64))"
        case .notOwner: "only the playlist's owner and admins may change it"
        case .gone: "the playlist or the video no longer exists"
        case .notInPlaylist(let videoID): "video \(videoID.prefix(64)) is not in this playlist"
        case .alreadyInPlaylist: "a video is in a playlist at most once"
        case .full(let limit): "a playlist holds at most \(limit) videos"
        case .notAPermutation: "video_ids must name every video of the playlist exactly once"
        }
    }

    public var extra: [String: String] {
        self == .notAPermutation ? ["field": "video_ids"] : [:]
    }
}

/// Why the signed-in account, a profile, a subscription or a history entry could not be had.
public enum SocialError: DomainError, Equatable {
    case needsCredentials
    /// The bootstrap admin token has no account, so nothing "mine".
    case noAccount
    /// The token outlived its account (deleted or disabled).
    case accountGone
    /// The account went away while being changed.
    case accountVanished
    case profileNotFound(String)
    case userNotFound(String)
    case channelNotFound(String)
    case notSubscribed(channelID: String)
    case notInHistory(videoID: String)

    public var problemType: ProblemType {
        switch self {
        case .needsCredentials, .accountGone, .accountVanished: .unauthorized
        case .noAccount: .noAccount
        case .profileNotFound, .userNotFound, .channelNotFound, .notSubscribed, .notInHistory: .notFound
        }
    }

    public var detail: String? {
        switch self {
        case .needsCredentials: "this route needs credentials"
        case .noAccount: "the bootstrap admin token belongs to no account"
        case .accountGone: "the account no longer exists or is disabled"
        case .accountVanished: "the account no longer exists"
        case .profileNotFound(let name): "no profile \(name.prefix(64))"
        case .userNotFound(let id): "no user \(id.prefix(64))"
        case .channelNotFound(let id): "no channel \(id.prefix(64))"
        case .notSubscribed(let id): "you do not follow channel \(id)"
        case .notInHistory(let id): "video \(id.prefix(64)) is not in your history"
        }
    }
}
