import CFFmpeg

/// The top rung copied from the source instead of encoded: the demuxed H.264 packets,
/// unchanged, retimed to frame numbers on the output clock (0 at the first picture, like the
/// encoded rungs, whose encoders count frames) and cut at the shared segment grid by the same
/// rule as `VideoRungEncoder`, into the same CMAF layout and index. Runs on the reading
/// thread (copying costs nothing). Owns its packet and writer.
final class PassthroughRung {
    let plan: PassthroughPlan
    let codecString: String
    private let writer: CMAFWriter
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var writtenSegment = -1
    /// Packets written so far: the next one's decode order.
    private var decoded: Int64 = 0

    init(plan: PassthroughPlan, parameters: UnsafePointer<AVCodecParameters>, folder: String) throws(TranscodeError) {
        self.plan = plan
        let id = plan.rung.id
        guard let packet = av_packet_alloc() else { throw .muxFailed("\(id): out of memory") }
        self.packet = packet
        let p = parameters.pointee
        let extradata = p.extradata.map { Array(UnsafeBufferPointer(start: $0, count: Int(p.extradata_size))) } ?? []
        codecString =
            CodecString.make(
                codec: AV_CODEC_ID_H264, profile: Int(p.profile), level: Int(p.level),
                extradata: extradata) ?? "avc1.640028"
        try SegmentFile.makeFolder(folder)
        let outputTimeBase = AVRational(num: plan.frameRate.den, den: plan.frameRate.num)
        writer = try CMAFWriter(id: id, folder: folder, timeBase: outputTimeBase, frameRate: plan.frameRate) { target in
            guard avcodec_parameters_copy(target, parameters) >= 0 else { return false }
            // Matroska's and MOV's tags mean nothing to the MP4 muxer: it picks avc1 itself.
            target.pointee.codec_tag = 0
            return true
        }
    }

    deinit {
        av_packet_free(&packet)
    }

    var streamIndex: Int { plan.streamIndex }
    /// Reports each whole segment to `board` (a progressive transcode), from now on.
    func report(to board: SegmentBoard) {
        board.register(writer.id)
        writer.board = board
    }

    var segments: [Rendition.Segment] { writer.segments }
    var timescale: Int64 { writer.timescale }

    /// Copies one source packet of the video stream (the caller keeps its own reference).
    func write(_ source: UnsafeMutablePointer<AVPacket>) throws(TranscodeError) {
        guard let packet else { return }
        let referenced = av_packet_ref(packet, source)
        guard referenced >= 0 else { throw .muxFailed("\(plan.rung.id): \(FFmpegErrorText.phrase(referenced))") }
        defer { av_packet_unref(packet) }
        let frame = plan.frame(packet.pointee.pts)
        packet.pointee.pts = frame
        packet.pointee.dts = decoded - plan.delay
        decoded += 1
        packet.pointee.duration = 1
        packet.pointee.pos = -1
        let segment = plan.grid.segment(ofFrame: frame)
        let starts = packet.pointee.flags & AV_PKT_FLAG_KEY != 0 && segment > writtenSegment
        if starts { writtenSegment = segment }
        try writer.write(packet, startsSegment: starts)
    }

    /// Cuts the last segment.
    func finish() throws(TranscodeError) {
        try writer.finish()
    }

    func rendition() -> Rendition {
        let rate = Double(plan.frameRate.num) / Double(plan.frameRate.den)
        var rendition = TranscodeJob.rendition(
            id: plan.rung.id, type: .video, codecs: codecString, timescale: timescale,
            segments: segments, width: plan.rung.width, height: plan.rung.height,
            frameRate: (rate * 1000).rounded() / 1000)
        rendition.passthrough = true
        return rendition
    }
}

extension PassthroughRung {
    /// What `TranscodeJob` gets: the copied rung, or nil with the reason it is encoded instead
    /// (no reason when the top rung was not asked for or passthrough is off). Remux-only
    /// turns a refusal into `TranscodeError.notRemuxable`.
    static func prepare(
        path: String, input: InputFile, stream: MediaStreamInfo, size: (width: Int, height: Int), ladder: Ladder,
        options: TranscodeOptions, grid: SegmentGrid, frameRate: AVRational, folder: String,
        cancellation: TranscodeCancellation?, creating: (String) -> Void
    ) throws(TranscodeError) -> (rung: PassthroughRung?, refusal: String?) {
        if options.remuxOnly, !options.passthrough { throw .invalidOptions("remux-only needs passthrough") }
        guard options.passthrough,
            let top = Ladder.make(sourceWidth: size.width, sourceHeight: size.height, steps: options.steps).rungs.last,
            ladder.rungs.contains(where: { $0.id == top.id }),
            let parameters = input.stream(stream.index)?.pointee.codecpar
        else { return (nil, nil) }

        func refuse(_ reason: String) throws(TranscodeError) -> (rung: PassthroughRung?, refusal: String?) {
            if options.remuxOnly { throw .notRemuxable(reason) }
            return (nil, reason)
        }
        if let reason = PassthroughEligibility.staticRefusal(
            stream: stream, parameters: parameters, size: size, top: top,
            cap: options.maxFrameRate)
        {
            return try refuse(reason)
        }
        let scan: VideoPacketScan
        do {
            scan = try VideoPacketScan.read(path: path, stream: stream.index, cancellation: cancellation)
        } catch {
            switch error {
            case .cancelled: throw .cancelled
            case .unreadable(let why): return try refuse("the video packets could not be read (\(why))")
            }
        }
        switch PassthroughEligibility.decide(scan: scan, streamIndex: stream.index, top: top, frameRate: frameRate, grid: grid) {
        case .refuse(let reason):
            return try refuse(reason)
        case .copy(let plan):
            creating(top.id)
            return (try PassthroughRung(plan: plan, parameters: parameters, folder: folder + "/" + top.id), nil)
        }
    }
}
