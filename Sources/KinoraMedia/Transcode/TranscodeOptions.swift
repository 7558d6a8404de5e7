/// How `Transcoder` encodes one source.
public struct TranscodeOptions: Sendable, Equatable {
    /// Seconds per media segment; every rendition is cut at the same multiples of it.
    public var segmentSeconds: Double
    /// libx264 preset ("ultrafast" … "veryslow").
    public var preset: String
    /// The configured ladder (short sides and video bit rates).
    public var steps: [Ladder.Step]
    /// Keep only these short sides (nil: every step the source allows).
    public var onlyShortSides: [Int]?
    /// Only the lowest rung (plus audio): the quick first pass.
    public var firstPassOnly: Bool
    /// The configured H.264 encoder ("libx264", "h264_nvenc", "h264_vaapi", …).
    public var encoder: String
    /// AAC bits per second.
    public var audioBitRate: Int
    /// The output frame rate never exceeds this (frames per second).
    public var maxFrameRate: Int
    /// Also make the poster, candidate frames and trickplay sprites (`<output>/thumbs/`).
    public var thumbnails: Bool
    /// Copy the source's H.264 into the top rung, without re-encoding, when it qualifies
    /// (`PassthroughEligibility`); otherwise that rung is encoded like the others.
    public var passthrough: Bool
    /// Only the copied top rung plus audio (copied when it is AAC-LC mono or stereo); a source
    /// that does not qualify is an error (`TranscodeError.notRemuxable`). The job decodes
    /// nothing (only the probe checks the first frames, as for every transcode).
    public var remuxOnly: Bool
    /// Encode the audio too (off for a ladder pass whose audio the first pass already made).
    public var audio: Bool

    public init(
        segmentSeconds: Double = 4,
        preset: String = "veryfast",
        steps: [Ladder.Step] = Ladder.defaultSteps,
        onlyShortSides: [Int]? = nil,
        firstPassOnly: Bool = false,
        encoder: String = "libx264",
        audioBitRate: Int = 128_000,
        maxFrameRate: Int = 60,
        thumbnails: Bool = false,
        passthrough: Bool = true,
        remuxOnly: Bool = false,
        audio: Bool = true
    ) {
        self.segmentSeconds = segmentSeconds
        self.preset = preset
        self.steps = steps
        self.onlyShortSides = onlyShortSides
        self.firstPassOnly = firstPassOnly
        self.encoder = encoder
        self.audioBitRate = audioBitRate
        self.maxFrameRate = maxFrameRate
        self.thumbnails = thumbnails
        self.passthrough = passthrough
        self.remuxOnly = remuxOnly
        self.audio = audio
    }

    /// The ladder for a source displayed at `width`x`height`.
    public func ladder(sourceWidth width: Int, sourceHeight height: Int) -> Ladder {
        var ladder = Ladder.make(sourceWidth: width, sourceHeight: height, steps: steps)
        if remuxOnly { return Ladder(rungs: ladder.rungs.last.map { [$0] } ?? []) }
        if let onlyShortSides {
            let kept = ladder.keeping(shortSides: onlyShortSides)
            // A source below every listed rung still gets its one small rung.
            ladder = kept.rungs.isEmpty ? ladder.lowestOnly : kept
        }
        return firstPassOnly ? ladder.lowestOnly : ladder
    }
}
