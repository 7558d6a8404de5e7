import Foundation
import KinoraMediaContract

extension VideoPipeline {
    /// Starts screening the pictures of a transcode's thumbnails (``VideoScreening``) with the
    /// `[moderation]` classifiers: nil when moderation is off or there are no pictures (an
    /// audio-only video). The pictures are read from `folder` before this returns, so the
    /// task needs nothing of the work folder, which a failed ladder removes; the task itself
    /// never fails (a classifier that cannot answer is weighed by the policy).
    func screen(_ videoID: String, thumbnails: Thumbnails?, in folder: String) -> Task<Void, Never>? {
        let screening = VideoScreening(database: database, pipeline: ModerationPipeline(registry: registry, policy: config.moderation), logger: logger)
        guard screening.isEnabled, let thumbnails else { return nil }
        let pictures = VideoScreening.pictures(candidates: thumbnails.candidates, poster: thumbnails.poster, in: folder)
        guard !pictures.isEmpty else { return nil }
        return Task { _ = await screening.screen(videoID, pictures: pictures) }
    }
}
