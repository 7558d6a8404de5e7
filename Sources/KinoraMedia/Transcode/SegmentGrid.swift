/// The segment boundaries every rendition shares: multiples of the segment duration on the
/// output clock (frame numbers at a constant frame rate, or audio sample numbers); and the
/// IDR frames, at multiples of the key frame interval (which divides the segment duration, so
/// every segment starts with one).
struct SegmentGrid: Sendable, Equatable {
    let seconds: Double
    let keyframeSeconds: Double
    /// Output frames per second as a fraction (30000/1001).
    let frameRateNumerator: Int64
    let frameRateDenominator: Int64
    /// The last segment's index for an input of known length: a tail shorter than
    /// `minimumTail` joins the segment before it, so audio (the last AAC frame's padding, the
    /// source's own) and video end with the same segment count.
    let lastSegment: Int?
    static let minimumTail = 0.1

    init(
        seconds: Double, keyframeSeconds: Double? = nil, frameRateNumerator: Int64 = 30, frameRateDenominator: Int64 = 1,
        totalSeconds: Double? = nil
    ) {
        self.seconds = seconds
        self.keyframeSeconds = min(seconds, keyframeSeconds ?? seconds)
        self.frameRateNumerator = max(1, frameRateNumerator)
        self.frameRateDenominator = max(1, frameRateDenominator)
        if let totalSeconds, totalSeconds.isFinite, totalSeconds > 0 {
            lastSegment = max(0, Int(((totalSeconds - Self.minimumTail) / seconds - 1e-9).rounded(.up)) - 1)
        } else {
            lastSegment = nil
        }
    }

    /// Before the start (a copied packet straddling 0) is segment 0; past the last is the last.
    private func clamp(_ segment: Int) -> Int {
        let segment = max(0, segment)
        return lastSegment.map { min(segment, $0) } ?? segment
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

    /// The segment of the audio frame (`frameSize` samples) starting at sample `start`: each
    /// boundary is cut before the frame that starts nearest it (a frame straddling it evenly
    /// goes to the later segment), so every audio segment ends within half a frame of the video
    /// boundary and the error never accumulates: segments of 187 and 188 AAC frames alternate
    /// on a 4 s grid at 48 kHz (3.989 s, 4.011 s), ending on 8.000 s every other one.
    func segment(ofAudioFrameAt start: Int64, frameSize: Int64, sampleRate: Int) -> Int {
        segment(ofSample: start + frameSize / 2, sampleRate: sampleRate)
    }

    /// The key frame interval (from 0) the output frame `index` belongs to: the first frame at
    /// or after k × `keyframeSeconds` is an IDR frame.
    func keyframeInterval(ofFrame index: Int64) -> Int {
        let time = Double(index) * Double(frameRateDenominator) / Double(frameRateNumerator)
        return Int((time / keyframeSeconds + 1e-9).rounded(.down))
    }

    /// Frames in one key frame interval, rounded up (the encoder's GOP size).
    var framesPerKeyframe: Int {
        max(1, Int((keyframeSeconds * Double(frameRateNumerator) / Double(frameRateDenominator) - 1e-9).rounded(.up)))
    }
}
