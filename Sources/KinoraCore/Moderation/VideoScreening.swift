import Foundation
import KinoraStore

/// A video's words (title, description, tags) through the `[moderation] classifiers` whenever
/// one of them changes, and what the verdict does to the video: a hold keeps it out of every
/// listing and watch page but its owner's and moderators' (``ModerationRepository/hide(_:_:)``)
/// with the signals in the queue; above `remove_score` it is also made private, as a
/// moderator's `remove` would. A moderator's decision releases the hold.
public struct VideoScreening: Sendable {
    let database: KinoraDatabase
    let moderation: ModerationPipeline

    public init(database: KinoraDatabase, moderation: ModerationPipeline) {
        self.database = database
        self.moderation = moderation
    }

    public var isEnabled: Bool { moderation.isEnabled }

    /// The words a classifier reads for a video, one field per line.
    public static func text(title: String, description: String, tags: [String]) -> String {
        [title, description, tags.joined(separator: " ")].filter { !$0.isEmpty }.joined(separator: "\n")
    }

    /// Classifies the video's words as stored now and applies the verdict.
    @discardableResult
    public func screenWords(of details: VideoDetails, requestID: String? = nil) async throws -> ModerationVerdict {
        guard moderation.isEnabled else { return .clean }
        let verdict = await moderation.classify(
            text: Self.text(title: details.video.title, description: details.video.description, tags: details.tags), requestID: requestID)
        try apply(verdict, to: details.video.id)
        return verdict
    }

    /// What a verdict on any of the video's content (words, poster, keyframes) does to it.
    public func apply(_ verdict: ModerationVerdict, to videoID: String) throws {
        guard verdict.action != .publish else { return }
        try database.moderation.flag(.video, videoID, signals: verdict.queueSignals)
        _ = try database.moderation.hide(.video, videoID)
        // The visibility alone: an edit the owner made meanwhile stays.
        if verdict.action == .remove { try database.videos.setVisibility(videoID, "private") }
        database.events.publish(.video(videoID))
    }
}
