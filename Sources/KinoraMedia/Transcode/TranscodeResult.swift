/// What a finished transcode produced.
public struct TranscodeResult: Sendable, Equatable, Codable {
    /// The renditions in the packager's shape (video rungs lowest first, then audio).
    public var renditions: [Rendition]
    /// The H.264 encoder that was used ("libx264" when nothing else could be opened).
    public var encoder: String
    /// Why the configured encoder was not used, or nil.
    public var fallback: String?

    public init(renditions: [Rendition], encoder: String, fallback: String?) {
        self.renditions = renditions
        self.encoder = encoder
        self.fallback = fallback
    }
}
