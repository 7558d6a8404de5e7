/// What a finished transcode produced.
public struct TranscodeResult: Sendable, Equatable, Codable {
    /// The renditions in the packager's shape (video rungs lowest first, then audio).
    public var renditions: [Rendition]
    /// The H.264 encoder that was used ("libx264" when nothing else could be opened).
    public var encoder: String
    /// Why the configured encoder was not used, or nil.
    public var fallback: String?
    /// Poster, candidates and trickplay sprites, when they were asked for and a frame came.
    public var thumbnails: Thumbnails?

    public init(renditions: [Rendition], encoder: String, fallback: String?, thumbnails: Thumbnails? = nil) {
        self.renditions = renditions
        self.encoder = encoder
        self.fallback = fallback
        self.thumbnails = thumbnails
    }
}
