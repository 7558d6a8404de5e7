/// The segment boundaries every rendition shares: multiples of the segment duration on the
/// output clock (frame numbers at a constant frame rate, or audio sample numbers).
struct SegmentGrid: Sendable, Equatable {
    let seconds: Double
    /// Output frames per second as a fraction (30000/1001).
    let frameRateNumerator: Int64
    let frameRateDenominator: Int64
    /// The last segment's index for an input of known length: a tail shorter than
    /// `minimumTail` joins the segment before it, so audio (encoder priming, the source's
    /// padding) and video end with the same segment count.
    let lastSegment: Int?
    static let minimumTail = 0.1

    init(seconds: Double, frameRateNumerator: Int64 = 30, frameRateDenominator: Int64 = 1, totalSeconds: Double? = nil) {
        self.seconds = seconds
        self.frameRateNumerator = max(1, frameRateNumerator)
        self.frameRateDenominator = max(1, frameRateDenominator)
        if let totalSeconds, totalSeconds.isFinite, totalSeconds > 0 {
            lastSegment = max(0, Int(((totalSeconds - Self.minimumTail) / seconds - 1e-9).rounded(.up)) - 1)
        } else {
            lastSegment = nil
        }
    }

    private func clamp(_ segment: Int) -> Int {
        lastSegment.map { min(segment, $0) } ?? segment
    }

    /// The segment (from 0) the output frame `index` belongs to: the first frame at or after
    /// k × `seconds` starts segment k.
    func segment(ofFrame index: Int64) -> Int {
        let time = Double(index) * Double(frameRateDenominator) / Double(frameRateNumerator)
        return clamp(Int((time / seconds + 1e-9).rounded(.down)))
    }

    /// The segment the audio sample `index` (at `sampleRate`) belongs to.
    func segment(ofSample index: Int64, sampleRate: Int) -> Int {
        let time = Double(index) / Double(max(1, sampleRate))
        return clamp(Int((time / seconds + 1e-9).rounded(.down)))
    }

    /// Frames in one segment, rounded up (the encoder's key frame interval).
    var framesPerSegment: Int {
        max(1, Int((seconds * Double(frameRateNumerator) / Double(frameRateDenominator) - 1e-9).rounded(.up)))
    }
}
