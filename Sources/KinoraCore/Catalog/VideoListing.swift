import Foundation
import KinoraStore

/// A query parameter that does not parse: 400 `invalid-parameter` naming it.
public struct InvalidParameter: DomainError, Equatable {
    public var parameter: String
    public var reason: String

    public init(_ parameter: String, _ reason: String) {
        self.parameter = parameter
        self.reason = reason
    }

    public var problemType: ProblemType { .invalidParameter }
    public var title: String { "Invalid \(parameter)" }
    public var detail: String? { reason }
    public var extra: [String: String] { ["parameter": parameter] }
}

/// Who may list what: everyone the public listing, an account its own videos (`owner=me`),
/// admins everything (`all=true`).
public enum VideoListing {
    public enum Denied: DomainError, Equatable {
        case needsCredentials
        case adminsOnly

        public var problemType: ProblemType { self == .needsCredentials ? .unauthorized : .forbidden }
        public var detail: String? { self == .needsCredentials ? "owner=me needs credentials" : "all=true is for admins only" }
    }

    /// The scope `owner=me`: the caller's account.
    public static func ownerScope(_ viewer: Viewer) throws -> VideoQuery.Scope {
        if viewer.isAnonymous { throw Denied.needsCredentials }
        guard let id = viewer.userID else {
            throw InvalidParameter("owner", "owner=me needs an account's token (the bootstrap token owns nothing)")
        }
        return .owner(id)
    }

    /// `all=true` widens the public listing to every video, for admins.
    public static func widenToAll(_ scope: VideoQuery.Scope, _ viewer: Viewer) throws -> VideoQuery.Scope {
        guard viewer.isAdmin else { throw Denied.adminsOnly }
        return scope == .listed ? .all : scope
    }
}

/// Full-text search over public, published videos, best match first. The words are matched
/// literally, all of them, the last as a prefix.
public struct VideoSearch: Sendable {
    let database: KinoraDatabase

    public static let maxQueryLength = 200

    public init(database: KinoraDatabase) {
        self.database = database
    }

    /// The words to search for, trimmed: some, and not too many.
    public static func words(_ text: String) throws(InvalidParameter) -> String {
        let q = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !q.isEmpty else { throw InvalidParameter("q", "q is required: the words to search for") }
        guard q.count <= maxQueryLength else { throw InvalidParameter("q", "q is limited to \(maxQueryLength) characters") }
        return q
    }

    public func search(_ text: String, limit: Int, cursor: String?) throws -> SearchPage {
        try database.videos.search(try Self.words(text), limit: limit, cursor: cursor)
    }
}
