import Foundation
import KinoraStore

extension VideoScreening {
    /// One picture of a video: its stored path (what a moderator can open) and its bytes.
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

    /// Classifies a video's pictures (its poster and frames) and applies the verdict as for its
    /// words (``apply(_:to:)``): every picture's scores weigh together, and each signal names
    /// its picture. The pictures go one after another, so each call has the whole
    /// `classifier_timeout_ms` to itself even when a plugin runs its model one call at a time.
    /// A classifier that cannot answer is a signal the policy weighs, never an error here.
    @discardableResult
    public func screenPictures(of videoID: String, _ pictures: [Picture]) async throws -> ModerationVerdict {
        guard moderation.isEnabled, !pictures.isEmpty else { return .clean }
        var signals: [ClassifierSignal] = []
        for picture in pictures where !picture.bytes.isEmpty {
            signals += await moderation.signals(
                media: picture.bytes, mediaType: picture.mediaType, subject: picture.name, requestID: "pictures-\(videoID)")
        }
        let verdict = ModerationPipeline.decide(signals, policy: moderation.policy)
        try apply(verdict, to: videoID)
        return verdict
    }

    /// The pictures of a transcode's thumbnails, read from `folder` (where the worker wrote
    /// them): every candidate frame, spread over the video, since the poster is one of them and
    /// a creator may later pick any other as the poster. The poster's own file is read too
    /// when it is not a copy of a candidate.
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
