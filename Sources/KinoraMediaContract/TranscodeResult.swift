/// What a finished transcode produced: the success the worker prints as the last line of
/// `kinora-media transcode` (inside a ``WorkerReply``) and the daemon reads back.
public struct TranscodeResult: Sendable, Equatable, Codable {
    /// The renditions in the packager's shape (video rungs lowest first, then audio).
    public var renditions: [Rendition]
    /// The H.264 encoder that was used ("libx264" when nothing else could be opened), or
    /// `copied` for remux-only, which opens no encoder.
    public var encoder: String
    /// Why the configured encoder was not used, or nil.
    public var fallback: String?
    /// Poster, candidates and trickplay sprites, when they were asked for and a frame came.
    public var thumbnails: Thumbnails?
    /// Why the top rung was encoded rather than copied from the source, when passthrough was
    /// enabled and that rung was asked for; nil otherwise.
    public var passthroughRefusal: String?

    public static let copied = "copy"

    public init(
        renditions: [Rendition], encoder: String, fallback: String?, thumbnails: Thumbnails? = nil,
        passthroughRefusal: String? = nil
    ) {
        self.renditions = renditions
        self.encoder = encoder
        self.fallback = fallback
        self.thumbnails = thumbnails
        self.passthroughRefusal = passthroughRefusal
    }

    enum CodingKeys: String, CodingKey {
        case renditions, encoder, fallback, thumbnails
        case passthroughRefusal = "passthrough_refusal"
    }

    // Absent values are written as null: the worker's line has always named every member.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(renditions, forKey: .renditions)
        try container.encode(self.encoder, forKey: .encoder)
        try container.encode(fallback, forKey: .fallback)
        try container.encode(thumbnails, forKey: .thumbnails)
        try container.encode(passthroughRefusal, forKey: .passthroughRefusal)
    }
}
