import CFFmpeg

/// One audio rendition: AAC-LC 48 kHz, stereo, 5.1 or 7.1, cut at the same segment grid as the
/// video. Runs on the decoding thread (AAC costs little). Owns its encoder, packet and writer.
final class AudioEncoder {
    /// The rendition id of a source's lone stereo track (and its folder).
    static let id = "audio"
    static let sampleRate: Int32 = 48000
    let id: String
    let layout: AudioLayout
    let codecString: String
    private let grid: SegmentGrid
    private let writer: CMAFWriter
    private var encoder: UnsafeMutablePointer<AVCodecContext>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    /// Samples sent so far: the next frame's pts (time base 1/48000).
    private var samples: Int64 = 0
    private var writtenSegment = -1

    init(id: String = AudioEncoder.id, layout: AudioLayout = .stereo, bitRate: Int, grid: SegmentGrid, folder: String) throws(TranscodeError) {
        self.id = id
        self.layout = layout
        self.grid = grid
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_AAC) else {
            throw .encoderMissing("no AAC encoder in this FFmpeg build")
        }
        guard let encoder = avcodec_alloc_context3(codec), let packet = av_packet_alloc() else {
            throw .encodeFailed(id, "out of memory")
        }
        self.encoder = encoder
        self.packet = packet
        encoder.pointee.sample_rate = Self.sampleRate
        encoder.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
        if layout == .stereo {
            encoder.pointee.ch_layout = kn_channel_layout_stereo()
        } else {
            av_channel_layout_uninit(&encoder.pointee.ch_layout)
            guard av_channel_layout_from_string(&encoder.pointee.ch_layout, layout.filterName) >= 0 else {
                throw .encodeFailed(id, "no \(layout.filterName) channel layout")
            }
        }
        encoder.pointee.bit_rate = Int64(bitRate)
        encoder.pointee.profile = FF_PROFILE_AAC_LOW
        encoder.pointee.time_base = AVRational(num: 1, den: Self.sampleRate)
        encoder.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER
        let opened = avcodec_open2(encoder, codec, nil)
        guard opened >= 0 else { throw .encodeFailed(id, "the AAC encoder could not be opened: \(FFmpegErrorText.phrase(opened))") }
        let extradata = encoder.pointee.extradata.map { Array(UnsafeBufferPointer(start: $0, count: Int(encoder.pointee.extradata_size))) } ?? []
        codecString =
            CodecString.make(
                codec: AV_CODEC_ID_AAC, profile: Int(encoder.pointee.profile), level: nil,
                extradata: extradata) ?? "mp4a.40.2"
        try SegmentFile.makeFolder(folder)
        writer = try CMAFWriter(id: id, folder: folder, encoder: encoder)
    }

    deinit {
        avcodec_free_context(&encoder)
        av_packet_free(&packet)
    }

    /// Samples per frame the encoder takes (1024 for AAC).
    var frameSize: Int32 { max(1, encoder?.pointee.frame_size ?? 1024) }
    /// Reports each whole segment to `board` (a progressive transcode), from now on.
    func report(to board: SegmentBoard) {
        board.register(writer.id)
        writer.board = board
    }

    var segments: [Rendition.Segment] { writer.segments }
    var timescale: Int64 { writer.timescale }

    /// Encodes one filtered frame (48 kHz fltp in the layout), numbering its samples from 0.
    func encode(_ frame: UnsafeMutablePointer<AVFrame>) throws(TranscodeError) {
        frame.pointee.pts = samples
        samples += Int64(frame.pointee.nb_samples)
        try send(frame)
    }

    /// Flushes the encoder and cuts the last segment.
    func finish() throws(TranscodeError) {
        try send(nil)
        try writer.finish()
    }

    private func send(_ frame: UnsafeMutablePointer<AVFrame>?) throws(TranscodeError) {
        guard let encoder, let packet else { return }
        let sent = avcodec_send_frame(encoder, frame)
        guard sent >= 0 else { throw .encodeFailed(id, FFmpegErrorText.phrase(sent)) }
        while true {
            let received = avcodec_receive_packet(encoder, packet)
            if received == kn_averror_eagain() || received == kn_averror_eof() { return }
            guard received >= 0 else { throw .encodeFailed(id, FFmpegErrorText.phrase(received)) }
            defer { av_packet_unref(packet) }
            // Packet timestamps are on the presentation clock: the priming packet starts at
            // -initial_padding and is left out, so the first packet written is sample 0.
            if AudioStart.isBeforeStart(pts: packet.pointee.pts, duration: packet.pointee.duration) { continue }
            let segment = grid.segment(ofAudioFrameAt: packet.pointee.pts, frameSize: Int64(frameSize), sampleRate: Int(Self.sampleRate))
            let starts = segment > writtenSegment
            if starts { writtenSegment = segment }
            try writer.write(packet, startsSegment: starts)
        }
    }
}
