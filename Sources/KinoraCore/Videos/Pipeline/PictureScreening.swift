import Foundation
import KinoraMediaContract
import Logging

extension VideoPipeline {
    /// Starts screening the pictures of a transcode's thumbnails (``VideoScreening``) with the
    /// `[moderation]` classifiers: nil when moderation is off or there are no pictures (an
    /// audio-only video). The pictures are read from `folder` before this returns, so the task
    /// needs nothing of the work folder, which a failed ladder removes. The task never fails
    /// the transcode: a classifier that cannot answer is weighed by the policy, and a verdict
    /// the store could not record is logged (the next transcode of the video screens it again).
    func screen(_ videoID: String, thumbnails: Thumbnails?, in folder: String) -> Task<Void, Never>? {
        let screening = VideoScreening(database: database, moderation: ModerationPipeline(registry: registry, policy: config.moderation))
        guard screening.isEnabled, let thumbnails else { return nil }
        let pictures = VideoScreening.pictures(candidates: thumbnails.candidates, poster: thumbnails.poster, in: folder)
        guard !pictures.isEmpty else { return nil }
        let logger = self.logger
        return Task {
            do {
                let verdict = try await screening.screenPictures(of: videoID, pictures)
                if verdict.action != .publish {
                    logger.notice("pictures \(verdict.action == .remove ? "removed" : "held") by moderation: \(verdict.rule ?? "")", metadata: ["video": .string(videoID)])
                }
            } catch {
                logger.error("could not record the moderation verdict on the pictures: \(error)", metadata: ["video": .string(videoID)])
            }
        }
    }
}
