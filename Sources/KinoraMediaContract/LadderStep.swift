/// One configured step of the rendition ladder: its short side and its video bit rate.
///
/// The ladder is written here once: the worker encodes from it, the daemon asks the worker for
/// the steps above its first pass from it, and viewers' quality preferences are checked
/// against it.
public struct LadderStep: Sendable, Equatable, Codable {
    public var shortSide: Int
    /// Bits per second.
    public var bitRate: Int

    public init(shortSide: Int, bitRate: Int) {
        self.shortSide = shortSide
        self.bitRate = bitRate
    }

    /// 240p to 2160p with bit rates for H.264 at 30 fps.
    public static let standard: [LadderStep] = [
        LadderStep(shortSide: 240, bitRate: 400_000),
        LadderStep(shortSide: 360, bitRate: 800_000),
        LadderStep(shortSide: 480, bitRate: 1_400_000),
        LadderStep(shortSide: 720, bitRate: 2_800_000),
        LadderStep(shortSide: 1080, bitRate: 5_000_000),
        LadderStep(shortSide: 1440, bitRate: 8_000_000),
        LadderStep(shortSide: 2160, bitRate: 16_000_000),
    ]

    /// The short sides of ``standard``, lowest first.
    public static var standardShortSides: [Int] { standard.map(\.shortSide) }

    /// The id of the video rendition made for a short side ("720p").
    public static func renditionID(shortSide: Int) -> String { "\(shortSide)p" }
}
