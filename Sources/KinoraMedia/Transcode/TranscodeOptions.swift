/// How `Transcoder` encodes one source.
public struct TranscodeOptions: Sendable, Equatable {
    /// Seconds per media segment; every rendition is cut at the same multiples of it.
    public var segmentSeconds: Double
    /// Seconds between IDR frames; divides `segmentSeconds`, so each segment starts with one.
    /// nil: `defaultKeyframeSeconds` (Apple's HLS Authoring Specification 1.13) when it divides
    /// the segment duration, else the segment duration.
    public var keyframeSeconds: Double?
    public static let defaultKeyframeSeconds = 2.0

    /// The key frame interval in use.
    public var effectiveKeyframeSeconds: Double {
        if let keyframeSeconds { return keyframeSeconds }
        let ratio = segmentSeconds / Self.defaultKeyframeSeconds
        return ratio >= 1 && abs(ratio - ratio.rounded()) < 1e-6 ? Self.defaultKeyframeSeconds : segmentSeconds
    }
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
    /// Source audio streams kept, each its own rendition (the first ones in file order).
    public var maxAudioTracks: Int
    /// A 5.1 AAC rendition beside the stereo one of each stream with 6 or more channels, and a
    /// 7.1 one too for a stream with 8 or more.
    public var surround: Bool
    /// Report the segments every rendition has in common as they are cut (``Transcoder``'s
    /// `segments` callback), so the first pass can be published while it is made.
    public var progressive: Bool = false

    public init(
        segmentSeconds: Double = 4,
        keyframeSeconds: Double? = nil,
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
        audio: Bool = true,
        maxAudioTracks: Int = 8,
        surround: Bool = true
    ) {
        self.segmentSeconds = segmentSeconds
        self.keyframeSeconds = keyframeSeconds
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
        self.maxAudioTracks = maxAudioTracks
        self.surround = surround
    }

    /// Why these timing options cannot be used, or nil: the segment duration 0.5–60 s, the key
    /// frame interval 0.5 s or more and a whole fraction of it (the shared rule of the worker's
    /// options and `[transcode]` in kinora.toml).
    public static func timingProblem(segmentSeconds: Double, keyframeSeconds: Double) -> String? {
        guard segmentSeconds.isFinite, segmentSeconds >= 0.5, segmentSeconds <= 60 else {
            return "the segment duration must be 0.5–60 seconds, not \(segmentSeconds)"
        }
        guard keyframeSeconds.isFinite, keyframeSeconds >= 0.5, keyframeSeconds <= segmentSeconds else {
            return "the key frame interval must be 0.5 seconds up to the segment duration (\(segmentSeconds)), not \(keyframeSeconds)"
        }
        let ratio = segmentSeconds / keyframeSeconds
        guard abs(ratio - ratio.rounded()) < 1e-6 else {
            return "the segment duration (\(segmentSeconds) s) must be a whole multiple of the key frame interval (\(keyframeSeconds) s)"
        }
        return nil
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
