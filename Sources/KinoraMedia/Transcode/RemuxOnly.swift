/// Remux-only set-up (`TranscodeOptions.remuxOnly`): the copied top rung and, when it is AAC-LC
/// mono or stereo, copied audio; nothing is decoded. The job's input is opened on its header
/// alone, so the only cost before copying is the packet scan.
enum RemuxOnly {
    static func prepare(
        path: String, input: InputFile, info: MediaInfo, options: TranscodeOptions, folder: String,
        cancellation: TranscodeCancellation?, creating: (String) -> Void
    )
        throws(TranscodeError) -> (grid: SegmentGrid, video: PassthroughRung, audio: AudioPassthrough?)
    {
        guard let stream = info.bestVideo, input.stream(stream.index) != nil else { throw .notRemuxable("the source has no video") }
        let frameRate = TranscodeJob.outputFrameRate(stream, cap: options.maxFrameRate)
        let grid = SegmentGrid(
            seconds: options.segmentSeconds, keyframeSeconds: options.effectiveKeyframeSeconds, frameRateNumerator: Int64(frameRate.num),
            frameRateDenominator: Int64(frameRate.den), totalSeconds: info.duration)
        // Rotated or non-square sources are refused before the size matters.
        let size = (width: stream.displayWidth ?? 0, height: stream.displayHeight ?? 0)
        let ladder = options.ladder(sourceWidth: size.width, sourceHeight: size.height)
        let prepared = try PassthroughRung.prepare(
            path: path, input: input, stream: stream, size: size, ladder: ladder, options: options,
            grid: grid, frameRate: frameRate, folder: folder, cancellation: cancellation,
            creating: creating)
        guard let video = prepared.rung else { throw .notRemuxable(prepared.refusal ?? "the source has no top rung") }
        let audio = try AudioPassthrough.make(
            input: input, info: info, grid: grid, videoZero: (video.plan.zero, video.plan.timeBase), folder: folder,
            creating: creating)
        // Audio that must be encoded needs the decoder's parameters the header lacks.
        if audio == nil, info.bestAudio != nil, let failure = input.readStreamInfo() {
            switch failure {
            case .header(let code), .streamInfo(let code, _): throw .unreadable(FFmpegErrorText.phrase(code))
            }
        }
        return (grid, video, audio)
    }
}
