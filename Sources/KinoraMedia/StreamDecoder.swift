import CFFmpeg

/// A decoder for one stream, used to prove that the stream's first packets decode.
/// Owns its codec context and frame (freed on deinit).
final class StreamDecoder {
    let streamIndex: Int
    let codecName: String
    let kind: MediaStreamInfo.Kind
    private var context: UnsafeMutablePointer<AVCodecContext>?
    private var frame: UnsafeMutablePointer<AVFrame>?

    private(set) var packets = 0
    private(set) var frames = 0
    private(set) var lastError: Int32?
    /// Set when the decoder could not be opened at all.
    private(set) var openError: Int32?

    init(stream: UnsafeMutablePointer<AVStream>, info: MediaStreamInfo) {
        streamIndex = info.index
        codecName = info.codecName
        kind = info.kind
        frame = av_frame_alloc()
        guard let parameters = stream.pointee.codecpar,
            let codec = avcodec_find_decoder(parameters.pointee.codec_id),
            let context = avcodec_alloc_context3(codec)
        else {
            openError = kn_averror_decoder_not_found()
            return
        }
        self.context = context
        var result = avcodec_parameters_to_context(context, parameters)
        if result >= 0 {
            context.pointee.pkt_timebase = stream.pointee.time_base
            // Probing runs on many worker threads at once: no extra threads per decoder.
            context.pointee.thread_count = 1
            result = avcodec_open2(context, codec, nil)
        }
        if result < 0 { openError = result }
    }

    deinit {
        avcodec_free_context(&context)
        av_frame_free(&frame)
    }

    var isOpen: Bool { openError == nil && context != nil }

    /// Sends one packet and drains the frames it produced.
    func decode(_ packet: UnsafeMutablePointer<AVPacket>) {
        guard isOpen, let context else { return }
        packets += 1
        var sent = avcodec_send_packet(context, packet)
        if sent == kn_averror_eagain() {
            drain()
            sent = avcodec_send_packet(context, packet)
        }
        if sent < 0 { lastError = sent }
        drain()
    }

    /// Signals the end of the stream and drains what the decoder still holds.
    func flush() {
        guard isOpen, let context else { return }
        _ = avcodec_send_packet(context, nil)
        drain()
    }

    private func drain() {
        guard let context, let frame else { return }
        while true {
            let received = avcodec_receive_frame(context, frame)
            if received == kn_averror_eagain() || received == kn_averror_eof() { return }
            if received < 0 {
                lastError = received
                return
            }
            frames += 1
            av_frame_unref(frame)
        }
    }
}
