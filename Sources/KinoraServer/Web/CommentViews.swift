import Foundation
import KinoraCore
import KinoraStore

/// What the watch page shows of ratings, comments and reports around the player: the video's
/// like and dislike buttons, the comment section's frame (its heading, sort, form or notice)
/// and the report dialog. The comments themselves are drawn in the browser from the API
/// (js/comments.js), by the same code that draws the pages "Load more" fetches, so there is
/// one renderer and it only ever sets text.
enum CommentViews {
    /// The fixed report taxonomy, in its order, as the report dialog and the moderation page
    /// name each reason.
    static let reasonLabels: [ReportReason: String] = [
        .spam: "Spam or misleading", .harassment: "Harassment or bullying", .hate: "Hateful or abusive",
        .violence: "Violent or dangerous", .sexual: "Sexual content", .misinformation: "Misinformation",
        .copyright: "Copyright infringement", .other: "Something else",
    ]

    static var reasons: [[String: Any]] {
        ReportReason.allCases.map { ["value": $0.rawValue, "label": reasonLabels[$0] ?? $0.rawValue] }
    }

    /// The like and dislike buttons with the video's counts and the caller's own rating; for a
    /// signed-out viewer, links to sign in that come back to the video.
    static func rating(_ video: VideoRecord, myRating: Rating?, signIn: String) -> [String: Any] {
        var object: [String: Any] = [
            "videoID": video.id, "likes": Int(video.likes), "dislikes": Int(video.dislikes), "signedIn": myRating != nil, "signIn": signIn,
        ]
        if let myRating {
            object["liked"] = myRating == .like ? "true" : "false"
            object["disliked"] = myRating == .dislike ? "true" : "false"
        }
        return object
    }

    /// The comment section's frame. Every flag is set, true or false: a key missing here would
    /// be looked up in the page around the section.
    static func section(
        _ video: VideoRecord, open: Bool, viewer: Viewer, canPin: Bool, signIn: String
    ) -> [String: Any] {
        let count = Int(video.commentCount)
        return [
            "videoID": video.id, "countText": ViewerViews.count(count, "comment", "comments"),
            "open": open, "signedIn": viewer.userID != nil, "signIn": signIn,
            "me": viewer.userID ?? "", "moderatorText": viewer.isModerator ? "true" : "false",
            "openText": open ? "true" : "false", "pinText": canPin ? "true" : "false",
        ]
    }
}
