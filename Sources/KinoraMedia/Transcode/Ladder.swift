/// The video renditions to make for one source: rungs named by the SHORT side ("720p"),
/// capped at the source's short side (never upscaled), aspect ratio kept, even dimensions.
public struct Ladder: Sendable, Equatable {
    /// One configured step of the ladder (the contract's, shared with the daemon).
    public typealias Step = LadderStep

    /// One video rendition to encode.
    public struct Rung: Sendable, Equatable {
        /// "240p", "720p", …: the short side of the output.
        public var id: String
        public var width: Int
        public var height: Int
        /// Bits per second.
        public var bitRate: Int
    }

    /// 240p to 2160p with bit rates for H.264 at 30 fps.
    public static let defaultSteps: [Step] = LadderStep.standard

    public var rungs: [Rung]

    public init(rungs: [Rung]) {
        self.rungs = rungs
    }

    /// The rungs for a source displayed at `width`x`height` (after rotation and pixel aspect).
    /// Steps above the source's short side are dropped; a source smaller than every step
    /// yields one rung at the source's own (even) size with the lowest step's bit rate.
    public static func make(sourceWidth width: Int, sourceHeight height: Int, steps: [Step] = defaultSteps) -> Ladder {
        let sorted = steps.filter { $0.shortSide > 0 }.sorted { $0.shortSide < $1.shortSide }
        guard width > 0, height > 0, let lowest = sorted.first else { return Ladder(rungs: []) }
        let shortSide = min(width, height)
        let landscape = width >= height
        var rungs: [Rung] = []
        for step in sorted where step.shortSide <= shortSide {
            let long = Double(max(width, height)) * Double(step.shortSide) / Double(shortSide)
            let short = even(Double(step.shortSide))
            let longSide = even(long)
            rungs.append(
                Rung(
                    id: LadderStep.renditionID(shortSide: short), width: landscape ? longSide : short,
                    height: landscape ? short : longSide, bitRate: step.bitRate))
        }
        if rungs.isEmpty {
            let w = evenDown(width), h = evenDown(height)
            rungs.append(Rung(id: "\(min(w, h))p", width: w, height: h, bitRate: lowest.bitRate))
        }
        return Ladder(rungs: rungs)
    }

    /// Only the rungs whose short side is listed (an unknown name is ignored).
    public func keeping(shortSides: [Int]) -> Ladder {
        let wanted = Set(shortSides.map(LadderStep.renditionID(shortSide:)))
        return Ladder(rungs: rungs.filter { wanted.contains($0.id) })
    }

    /// Only the lowest rung: the quick first pass that makes the video playable early.
    public var lowestOnly: Ladder {
        Ladder(rungs: rungs.first.map { [$0] } ?? [])
    }

    /// The nearest even number, at least 2.
    static func even(_ value: Double) -> Int {
        max(2, 2 * Int((value / 2).rounded()))
    }

    /// The even number at or below `value`, at least 2.
    static func evenDown(_ value: Int) -> Int {
        max(2, value - value % 2)
    }
}
