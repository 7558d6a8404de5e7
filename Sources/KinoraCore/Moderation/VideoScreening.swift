import Foundation
import KinoraConfiguration
import KinoraStore
import Logging

/// Passes a video's pictures (its thumbnail candidates, one of which is the poster, and any
/// other picture given) through the `[moderation] classifiers` once the transcode has
/// published the video, and acts on the verdict under the same policy as comments:
///
/// - publish: nothing happens;
/// - hold (a score at or above `hold_score`, or a classifier that failed with
///   `on_failure = "hold"`): the video joins the moderation queue with every signal (the
///   classifier, its label and score, and which picture), its item marked hidden until a
///   moderator decides;
/// - remove (a score strictly above `remove_score`): the same, and the video is made private
///   at once, as a moderator's `remove` decision does.
///
/// The pictures are classified one after another, so each call has the whole
/// `classifier_timeout_ms` to itself even when a plugin runs its model one call at a time.
/// Nothing here throws: a classifier that cannot answer is a signal the policy weighs, and a
/// store failure is logged, so screening never fails the publication it follows.
public struct VideoScreening: Sendable {
    /// One picture of the video: its stored path (what a moderator can open) and its bytes.
    public struct Picture: Sendable {
        public var name: String
        public var bytes: [UInt8]
        public var mediaType: String

        public init(name: String, bytes: [UInt8], mediaType: String = "image/jpeg") {
            self.name = name
            self.bytes = bytes
            self.mediaType = mediaType
        }
    }

    let database: KinoraDatabase
    let pipeline: ModerationPipeline
    let logger: Logger

    public init(database: KinoraDatabase, pipeline: ModerationPipeline, logger: Logger) {
        self.database = database
        self.pipeline = pipeline
        self.logger = logger
    }

    public var isEnabled: Bool { pipeline.isEnabled }

    /// Classifies `pictures`, decides, and flags, hides or removes `videoID` as the policy
    /// says. Returns the verdict (``ModerationVerdict/clean`` with moderation off or nothing
    /// to look at).
    @discardableResult
    public func screen(_ videoID: String, pictures: [Picture]) async -> ModerationVerdict {
        guard pipeline.isEnabled, !pictures.isEmpty else { return .clean }
        var signals: [ClassifierSignal] = []
        for picture in pictures where !picture.bytes.isEmpty {
            signals += await pipeline.signals(media: picture.bytes, mediaType: picture.mediaType, subject: picture.name, requestID: "screen-\(videoID)")
        }
        let verdict = ModerationPipeline.decide(signals, policy: pipeline.policy)
        var logger = self.logger
        logger[metadataKey: "video"] = .string(videoID)
        guard verdict.action != .publish else {
            logger.debug("pictures screened: nothing found", metadata: ["pictures": .stringConvertible(pictures.count)])
            return verdict
        }
        do {
            try database.moderation.flag(.video, videoID, signals: verdict.queueSignals)
            try database.moderation.hide(.video, videoID)
            if verdict.action == .remove, try database.videos.setVisibility(videoID, "private") {
                database.events.publish(.video(videoID))
            }
            logger.notice("video \(verdict.action == .remove ? "made private and queued" : "held for review") by moderation: \(verdict.rule ?? "")")
        } catch {
            // The verdict stands in the log; the next transcode of the video screens it again.
            logger.error("could not record the moderation verdict (\(verdict.action.rawValue), \(verdict.rule ?? "")): \(error)")
        }
        return verdict
    }

    /// The pictures of a transcode's thumbnails to screen, read from `folder` (where the
    /// worker wrote them): every candidate frame, spread over the video, since the poster is
    /// one of them and a creator may later pick any other as the poster. The poster's own
    /// file is read too when it is not a copy of a candidate.
    public static func pictures(candidates: [String], poster: String, in folder: String) -> [Picture] {
        let read = { (name: String) -> [UInt8]? in
            FileManager.default.contents(atPath: folder + "/" + name).map { Array($0) }
        }
        let posterBytes = read(poster)
        var pictures: [Picture] = []
        for name in candidates {
            guard let bytes = read(name) else { continue }
            pictures.append(Picture(name: bytes == posterBytes ? "\(name) (poster)" : name, bytes: bytes))
        }
        if let posterBytes, !pictures.contains(where: { $0.bytes == posterBytes }) {
            pictures.insert(Picture(name: "\(poster) (poster)", bytes: posterBytes), at: 0)
        }
        return pictures
    }
}
