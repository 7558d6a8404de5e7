import CFFmpeg

/// Decodes one stream of an `InputFile` into frames, for the transcoder. Owns its codec
/// context, frame and counters (freed on deinit). Not shared between threads.
final class MediaDecoder {
    let streamIndex: Int
    let timeBase: AVRational
    private(set) var context: UnsafeMutablePointer<AVCodecContext>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private(set) var frames = 0
    /// Consecutive undecodable packets or frames; a long run fails the transcode.
    private var errorRun = 0
    static let maxErrorRun = 25

    init(stream: UnsafeMutablePointer<AVStream>, index: Int) throws(TranscodeError) {
        streamIndex = index
        timeBase = stream.pointee.time_base
        frame = av_frame_alloc()
        guard let parameters = stream.pointee.codecpar,
            let codec = avcodec_find_decoder(parameters.pointee.codec_id),
            let context = avcodec_alloc_context3(codec)
        else {
            throw .unreadable("no decoder for stream \(index)")
        }
        self.context = context
        var result = avcodec_parameters_to_context(context, parameters)
        if result >= 0 {
            context.pointee.pkt_timebase = stream.pointee.time_base
            context.pointee.thread_count = 0  // as many as the decoder likes
            result = avcodec_open2(context, codec, nil)
        }
        if result < 0 { throw .unreadable("the decoder for stream \(index) cannot be opened: \(FFmpegErrorText.phrase(result))") }
        if frame == nil { throw .unreadable("out of memory") }
    }

    deinit {
        avcodec_free_context(&context)
        av_frame_free(&frame)
    }

    /// Sends one packet (nil: end of stream) and hands every decoded frame to `body`, which
    /// must not keep the pointer (it is unreferenced afterwards). Frames carry their
    /// best-effort timestamp as `pts`.
    func decode(
        _ packet: UnsafeMutablePointer<AVPacket>?,
        _ body: (UnsafeMutablePointer<AVFrame>) throws(TranscodeError) -> Void
    ) throws(TranscodeError) {
        guard let context else { return }
        var sent = avcodec_send_packet(context, packet)
        if sent == kn_averror_eagain() {
            try drain(body)
            sent = avcodec_send_packet(context, packet)
        }
        if sent < 0, sent != kn_averror_eof() {
            try noteError(sent, packet: packet)
        }
        try drain(body)
    }

    private func drain(_ body: (UnsafeMutablePointer<AVFrame>) throws(TranscodeError) -> Void) throws(TranscodeError) {
        guard let context, let frame else { return }
        while true {
            let received = avcodec_receive_frame(context, frame)
            if received == kn_averror_eagain() || received == kn_averror_eof() { return }
            if received < 0 {
                try noteError(received, packet: nil)
                continue
            }
            errorRun = 0
            frames += 1
            if frame.pointee.best_effort_timestamp != kn_nopts() {
                frame.pointee.pts = frame.pointee.best_effort_timestamp
            }
            defer { av_frame_unref(frame) }
            try body(frame)
        }
    }

    private func noteError(_ code: Int32, packet: UnsafeMutablePointer<AVPacket>?) throws(TranscodeError) {
        errorRun += 1
        guard errorRun > Self.maxErrorRun || (code != kn_averror_invaliddata() && code != kn_averror(EINVAL) && code != kn_averror_patch_welcome())
        else { return }
        var position = ""
        if let packet, packet.pointee.pts != kn_nopts() {
            position = " at \(Self.clock(Double(packet.pointee.pts) * av_q2d(timeBase)))"
        }
        throw .decodeFailed("\(position) (stream \(streamIndex)): \(FFmpegErrorText.phrase(code))")
    }

    static func clock(_ seconds: Double) -> String {
        let total = max(0, Int(seconds))
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(h)):\(two(m)):\(two(s))"
    }
}
