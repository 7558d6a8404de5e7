/// A rational number as FFmpeg keeps frame rates and aspect ratios (30000/1001).
public struct MediaRational: Sendable, Codable, Equatable, Hashable, CustomStringConvertible {
    public var numerator: Int
    public var denominator: Int

    public init(numerator: Int, denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// The value, or nil for FFmpeg's "unknown" (0/0, x/0, 0/x).
    public var value: Double? {
        guard numerator != 0, denominator != 0 else { return nil }
        return Double(numerator) / Double(denominator)
    }

    public var description: String { "\(numerator)/\(denominator)" }
}
