import CFFmpeg

/// One rung of the ladder on its own thread: scales the shared decoded pictures to the
/// rung's size (its own swscale context), encodes them (its own H.264 encoder), and writes
/// CMAF segments cut at the shared segment grid. Fed through a bounded queue.
final class VideoRungEncoder: @unchecked Sendable {
    // @unchecked: created and configured on the transcoder's thread, then used only by its
    // worker thread until `run()` returns; the transcoder reads the results after joining.
    let rung: Ladder.Rung
    let queue: BoundedQueue<FrameReference>
    let codecString: String
    let frameRate: AVRational
    private let grid: SegmentGrid
    private let writer: CMAFWriter
    private let stop: SharedFailure
    private var encoder: UnsafeMutablePointer<AVCodecContext>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var scaler: OpaquePointer?
    private var scaledFrame: UnsafeMutablePointer<AVFrame>?
    private var forcedInterval = -1
    private var writtenSegment = -1
    private(set) var failure: TranscodeError?

    init(
        rung: Ladder.Rung, encoderName: String, preset: String, frameRate: AVRational, grid: SegmentGrid,
        folder: String, stop: SharedFailure, queueCapacity: Int
    ) throws(TranscodeError) {
        self.rung = rung
        self.frameRate = frameRate
        self.grid = grid
        self.stop = stop
        queue = BoundedQueue(capacity: queueCapacity)
        guard let codec = avcodec_find_encoder_by_name(encoderName) else {
            throw .encoderMissing("\(encoderName) is not in this FFmpeg build")
        }
        guard let encoder = avcodec_alloc_context3(codec), let packet = av_packet_alloc() else {
            throw .encodeFailed(rung.id, "out of memory")
        }
        self.encoder = encoder
        self.packet = packet
        let c = encoder
        c.pointee.width = Int32(rung.width)
        c.pointee.height = Int32(rung.height)
        c.pointee.pix_fmt = EncoderChoice.preferredPixelFormat(codec)
        c.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
        c.pointee.time_base = AVRational(num: frameRate.den, den: frameRate.num)
        c.pointee.framerate = frameRate
        c.pointee.bit_rate = Int64(rung.bitRate)
        c.pointee.rc_max_rate = Int64(rung.bitRate) * 3 / 2
        c.pointee.rc_buffer_size = Int32(clamping: rung.bitRate * 2)
        c.pointee.gop_size = Int32(grid.framesPerKeyframe)
        c.pointee.keyint_min = Int32(grid.framesPerKeyframe)
        c.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER
        c.pointee.thread_count = 0

        var options: OpaquePointer?
        defer { av_dict_free(&options) }
        av_dict_set(&options, "profile", "high", 0)
        av_dict_set(&options, "forced-idr", "1", 0)
        if encoderName == EncoderChoice.software {
            av_dict_set(&options, "preset", preset, 0)
            // Key frames only where forced (the key frame grid), closed GOPs.
            av_dict_set(&options, "x264-params", "scenecut=0:open-gop=0", 0)
        }
        let opened = avcodec_open2(encoder, codec, &options)
        guard opened >= 0 else {
            throw .encodeFailed(rung.id, "\(encoderName) could not be opened: \(FFmpegErrorText.phrase(opened))")
        }
        let extradata = encoder.pointee.extradata.map { Array(UnsafeBufferPointer(start: $0, count: Int(encoder.pointee.extradata_size))) } ?? []
        codecString =
            CodecString.make(
                codec: AV_CODEC_ID_H264, profile: Int(encoder.pointee.profile),
                level: Int(encoder.pointee.level), extradata: extradata) ?? "avc1.640028"
        try SegmentFile.makeFolder(folder)
        writer = try CMAFWriter(id: rung.id, folder: folder, encoder: encoder)
    }

    deinit {
        avcodec_free_context(&encoder)
        av_packet_free(&packet)
        sws_freeContext(scaler)
        av_frame_free(&scaledFrame)
    }

    /// Reports each whole segment to `board` (a progressive transcode), from now on.
    func report(to board: SegmentBoard) {
        board.register(writer.id)
        writer.board = board
    }

    var segments: [Rendition.Segment] { writer.segments }
    var timescale: Int64 { writer.timescale }

    /// The worker thread's body: encodes until the queue is closed, then flushes. After a
    /// failure (its own or another rung's) it only drains the queue.
    func run() {
        while let reference = queue.pop() {
            guard failure == nil, !stop.isSet, let frame = reference.frame else { continue }
            do {
                try encode(frame, index: reference.index)
            } catch {
                fail(error)
            }
        }
        guard failure == nil, !stop.isSet else { return }
        do {
            try send(nil)
            try writer.finish()
        } catch {
            fail(error)
        }
    }

    private func fail(_ error: TranscodeError) {
        failure = error
        stop.set(error)
    }

    private func encode(_ source: UnsafeMutablePointer<AVFrame>, index: Int64) throws(TranscodeError) {
        scaler = sws_getCachedContext(
            scaler, source.pointee.width, source.pointee.height,
            AVPixelFormat(rawValue: source.pointee.format),
            Int32(rung.width), Int32(rung.height), encoder?.pointee.pix_fmt ?? AV_PIX_FMT_YUV420P,
            Int32(SWS_BICUBIC), nil, nil, nil)
        guard let scaler, let encoder else { throw .encodeFailed(rung.id, "no scaler for \(source.pointee.width)x\(source.pointee.height)") }
        // One output picture per rung, reused: the encoder copies what it keeps, so the buffer
        // is writable again after each send (make_writable copies only when it is not).
        if scaledFrame == nil {
            scaledFrame = av_frame_alloc()
            if let frame = scaledFrame {
                frame.pointee.width = Int32(rung.width)
                frame.pointee.height = Int32(rung.height)
                frame.pointee.format = encoder.pointee.pix_fmt.rawValue
                if av_frame_get_buffer(frame, 0) < 0 { av_frame_free(&scaledFrame) }
            }
        }
        guard let scaled = scaledFrame, av_frame_make_writable(scaled) >= 0 else {
            throw .encodeFailed(rung.id, "out of memory")
        }
        let result = sws_scale_frame(scaler, scaled, source)
        guard result >= 0 else { throw .encodeFailed(rung.id, "scaling failed: \(FFmpegErrorText.phrase(result))") }
        scaled.pointee.pts = index
        scaled.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
        let interval = grid.keyframeInterval(ofFrame: index)
        if interval != forcedInterval {
            // The first frame at or after each multiple of the key frame interval (so at every
            // segment boundary too): an IDR frame.
            scaled.pointee.pict_type = AV_PICTURE_TYPE_I
            scaled.pointee.key_frame = 1
            forcedInterval = interval
        } else {
            scaled.pointee.pict_type = AV_PICTURE_TYPE_NONE
            scaled.pointee.key_frame = 0
        }
        try send(scaled)
    }

    /// Sends a frame (nil: flush) and writes every packet the encoder returns.
    private func send(_ frame: UnsafeMutablePointer<AVFrame>?) throws(TranscodeError) {
        guard let encoder, let packet else { return }
        let sent = avcodec_send_frame(encoder, frame)
        guard sent >= 0 else { throw .encodeFailed(rung.id, FFmpegErrorText.phrase(sent)) }
        while true {
            let received = avcodec_receive_packet(encoder, packet)
            if received == kn_averror_eagain() || received == kn_averror_eof() { return }
            guard received >= 0 else { throw .encodeFailed(rung.id, FFmpegErrorText.phrase(received)) }
            defer { av_packet_unref(packet) }
            let isKey = packet.pointee.flags & AV_PKT_FLAG_KEY != 0
            let segment = grid.segment(ofFrame: packet.pointee.pts)
            let starts = isKey && segment > writtenSegment
            if starts { writtenSegment = segment }
            try writer.write(packet, startsSegment: starts)
        }
    }
}
