/// What an upload may be before Kinora refuses it, checked from the container's metadata
/// before anything is decoded.
public struct ProbeLimits: Sendable, Codable, Equatable {
    /// The longest accepted duration, in seconds (default 6 hours).
    public var maxDuration: Double
    /// The widest accepted picture, in pixels (default 7680, 8K UHD).
    public var maxWidth: Int
    /// The tallest accepted picture, in pixels (default 4320, 8K UHD).
    /// Width and height are compared in either orientation: a portrait 4320x7680 fits 7680x4320.
    public var maxHeight: Int
    /// The most streams (of any kind) a file may carry (default 16).
    public var maxStreams: Int

    public init(
        maxDuration: Double = 6 * 60 * 60,
        maxWidth: Int = 7680,
        maxHeight: Int = 4320,
        maxStreams: Int = 16
    ) {
        self.maxDuration = maxDuration
        self.maxWidth = maxWidth
        self.maxHeight = maxHeight
        self.maxStreams = maxStreams
    }

    public static let `default` = ProbeLimits()

    /// Whether a `width`x`height` picture fits, in either orientation.
    public func fits(width: Int, height: Int) -> Bool {
        (width <= maxWidth && height <= maxHeight) || (width <= maxHeight && height <= maxWidth)
    }
}
