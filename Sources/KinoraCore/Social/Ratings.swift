import Foundation
import KinoraConfiguration
import KinoraStore

/// Likes and dislikes of videos and comments: one rating per account and thing, switchable,
/// counted exactly (``RatingRepository``) and feeding the video's trending score at once.
public struct Ratings: Sendable {
    let database: KinoraDatabase
    let comments: Comments

    public init(database: KinoraDatabase, comments: Comments) {
        self.database = database
        self.comments = comments
    }

    /// `{"rating": "like" | "dislike" | "none"}` on a video the caller may see.
    public func rateVideo(_ videoID: String, _ body: [String: JSONValue], by viewer: Viewer) throws -> RatingCounts {
        guard let userID = viewer.userID else { throw Refused(.forbidden, "ratings are given by accounts") }
        let rating = try Self.rating(body)
        let video = try comments.visibleVideo(videoID, to: viewer)
        guard let counts = try database.ratings.rateVideo(videoID: video.id, userID: userID, rating: rating) else {
            throw Refused(.notFound, "no video \(videoID)")
        }
        return counts
    }

    /// The same on a comment the caller may see.
    public func rateComment(_ commentID: String, _ body: [String: JSONValue], by viewer: Viewer) throws -> RatingCounts {
        guard let userID = viewer.userID else { throw Refused(.forbidden, "ratings are given by accounts") }
        let rating = try Self.rating(body)
        let comment = try comments.visible(commentID, to: viewer)
        guard comment.status == .published else { throw Refused(.forbidden, "only published comments are rated") }
        guard let counts = try database.ratings.rateComment(commentID: comment.id, userID: userID, rating: rating) else {
            throw Refused(.notFound, "no comment \(commentID)")
        }
        return counts
    }

    /// The caller's rating of each video (for pages that show `my_rating`).
    public func mine(videoIDs: [String], viewer: Viewer) throws -> [String: Rating] {
        guard let userID = viewer.userID, !videoIDs.isEmpty else { return [:] }
        return try database.ratings.myRatings(videoIDs: videoIDs, userID: userID)
    }

    static func rating(_ body: [String: JSONValue]) throws -> Rating {
        try BodyFields.refuseUnknownKeys(body, allowed: ["rating"])
        guard let text = body["rating"]?.stringValue, let rating = Rating(rawValue: text) else {
            throw Refused(.badRequest, "rating must be \"like\", \"dislike\" or \"none\"")
        }
        return rating
    }
}
