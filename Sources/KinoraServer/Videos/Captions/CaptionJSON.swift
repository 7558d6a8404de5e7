import KinoraMediaContract
import KinoraStore

/// The API shape of a caption track, in caption responses and in a video's `captions`.
enum CaptionJSON {
    static func object(_ caption: CaptionRecord) -> [String: Any] {
        [
            "language": caption.language,
            "label": caption.label,
            "default": caption.isDefault,
            "url": "/streams/\(caption.videoID)/\(VideoObjects.captionPath(caption.language))",
        ]
    }
}
