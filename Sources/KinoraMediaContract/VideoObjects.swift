/// Where a video's files live in media storage: everything of video `id` under `videos/<id>/`,
/// named as the worker and the packagers name them inside it (`720p/seg-00001.m4s`,
/// `thumbs/poster.jpg`, `master.m3u8`). Every writer, reader and remover of those objects
/// spells the layout through this type, so it can only change in one place.
public struct VideoObjects: Sendable, Equatable {
    /// The prefix of every video's objects, for listing them all.
    public static let root = "videos/"

    public let videoID: String

    public init(_ videoID: String) {
        self.videoID = videoID
    }

    /// `videos/<id>/`: removing everything under it removes the video's files.
    public var folder: String { Self.root + videoID + "/" }

    /// The object at `relative` (a path inside the video's folder, as the presentation names it).
    public func key(_ relative: String) -> String { folder + relative }

    /// The uploaded file, kept to transcode again.
    public var original: String { key("original") }

    /// A caption track's WebVTT file.
    public func caption(_ language: String) -> String { key(Self.captionPath(language)) }

    /// What the packagers wrote for a caption track (the HLS subtitle playlist and the like).
    public func captionTrackFolder(_ language: String) -> String { key(Self.textTrackID(language) + "/") }

    /// Where a caption's file is, relative to the video's folder.
    public static func captionPath(_ language: String) -> String { "captions/\(language).vtt" }

    /// The presentation id of a caption track. Packagers name folders after ids (the HLS
    /// subtitle playlist is `<id>/media.m3u8`); the prefix keeps them apart from renditions.
    public static func textTrackID(_ language: String) -> String { "text-\(language)" }
}
