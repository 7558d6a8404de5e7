import CFFmpeg

/// Remux-only audio: the source's AAC-LC packets copied into the audio rendition, cut at the
/// shared segment grid by sample position as `AudioEncoder` cuts its own. Only AAC-LC mono or
/// stereo is copied (what every MSE and HLS player decodes); anything else is encoded by the
/// job as usual. Runs on the reading thread. Owns its packet and writer.
final class AudioPassthrough {
    let streamIndex: Int
    let codecString: String
    let channels: Int
    let sampleRate: Int
    /// The copied stream's language and name, as the encoded tracks get them.
    var label = AudioLabel(language: "und", name: "Audio 1", isDefault: true)
    private let sourceTimeBase: AVRational
    private let grid: SegmentGrid
    private let writer: CMAFWriter
    private var packet: UnsafeMutablePointer<AVPacket>?
    /// The copied video's first picture, in samples of this stream: sample 0 of the output, so
    /// the source's own A/V offset is kept and its priming (packets the source's edit list put
    /// before 0) lands before 0, where it is left out (`AudioStart`).
    private let zero: Int64
    private let frameSize: Int64
    private var writtenSegment = -1

    /// The copying writer when the source's audio is AAC-LC mono or stereo; nil otherwise.
    /// `videoZero`: the copied video's first picture (pts, time base).
    static func make(
        input: InputFile, info: MediaInfo, grid: SegmentGrid, videoZero: (pts: Int64, timeBase: AVRational), folder: String,
        creating: (String) -> Void
    ) throws(TranscodeError) -> AudioPassthrough? {
        guard let stream = info.bestAudio, let avStream = input.stream(stream.index),
            let parameters = avStream.pointee.codecpar
        else { return nil }
        let p = parameters.pointee
        // The profile from the AudioSpecificConfig (object type 2 = LC): an input opened on its
        // header alone has no profile in its parameters yet.
        guard p.codec_id == AV_CODEC_ID_AAC, p.extradata_size >= 2, let config = p.extradata, config[0] >> 3 == 2,
            (1...2).contains(p.ch_layout.nb_channels), p.sample_rate > 0
        else { return nil }
        creating(AudioEncoder.id)
        let copy = try AudioPassthrough(
            stream: avStream, index: stream.index, grid: grid,
            zero: av_rescale_q(videoZero.pts, videoZero.timeBase, AVRational(num: 1, den: p.sample_rate)),
            folder: folder + "/" + AudioEncoder.id)
        let title = av_dict_get(avStream.pointee.metadata, "title", nil, 0)?.pointee.value.map { String(cString: $0) }
        copy.label = AudioLabel.make([stream], titles: [title])[0]
        return copy
    }

    private init(stream: UnsafeMutablePointer<AVStream>, index: Int, grid: SegmentGrid, zero: Int64, folder: String) throws(TranscodeError) {
        streamIndex = index
        self.grid = grid
        self.zero = zero
        sourceTimeBase = stream.pointee.time_base
        guard let parameters = stream.pointee.codecpar, let packet = av_packet_alloc() else {
            throw .muxFailed("\(AudioEncoder.id): out of memory")
        }
        self.packet = packet
        let p = parameters.pointee
        frameSize = p.frame_size > 0 ? Int64(p.frame_size) : 1024
        channels = Int(p.ch_layout.nb_channels)
        sampleRate = Int(p.sample_rate)
        let extradata = p.extradata.map { Array(UnsafeBufferPointer(start: $0, count: Int(p.extradata_size))) } ?? []
        codecString =
            CodecString.make(
                codec: AV_CODEC_ID_AAC, profile: p.profile >= 0 ? Int(p.profile) : nil, level: nil,
                extradata: extradata) ?? "mp4a.40.2"
        try SegmentFile.makeFolder(folder)
        writer = try CMAFWriter(id: AudioEncoder.id, folder: folder, timeBase: AVRational(num: 1, den: p.sample_rate), frameRate: nil) { target in
            guard avcodec_parameters_copy(target, parameters) >= 0 else { return false }
            target.pointee.codec_tag = 0
            return true
        }
    }

    deinit {
        av_packet_free(&packet)
    }

    /// Reports each whole segment to `board` (a progressive transcode), from now on.
    func report(to board: SegmentBoard) {
        board.register(writer.id)
        writer.board = board
    }

    var segments: [Rendition.Segment] { writer.segments }
    var timescale: Int64 { writer.timescale }

    /// Copies one source packet of the audio stream (the caller keeps its own reference).
    func write(_ source: UnsafeMutablePointer<AVPacket>) throws(TranscodeError) {
        guard let packet, source.pointee.pts != kn_nopts() else { return }
        let referenced = av_packet_ref(packet, source)
        guard referenced >= 0 else { throw .muxFailed("\(AudioEncoder.id): \(FFmpegErrorText.phrase(referenced))") }
        defer { av_packet_unref(packet) }
        let samples = AVRational(num: 1, den: Int32(sampleRate))
        av_packet_rescale_ts(packet, sourceTimeBase, samples)
        packet.pointee.pts -= zero
        // Audio decodes in presentation order.
        packet.pointee.dts = packet.pointee.pts
        packet.pointee.pos = -1
        let duration = packet.pointee.duration > 0 ? packet.pointee.duration : frameSize
        if AudioStart.isBeforeStart(pts: packet.pointee.pts, duration: duration) { return }
        let segment = grid.segment(ofAudioFrameAt: packet.pointee.pts, frameSize: frameSize, sampleRate: sampleRate)
        let starts = segment > writtenSegment
        if starts { writtenSegment = segment }
        try writer.write(packet, startsSegment: starts)
    }

    /// Cuts the last segment.
    func finish() throws(TranscodeError) {
        try writer.finish()
    }

    func rendition() -> Rendition {
        var rendition = TranscodeJob.rendition(
            id: AudioEncoder.id, type: .audio, codecs: codecString, timescale: timescale,
            segments: segments)
        rendition.channels = channels
        rendition.sampleRate = sampleRate
        rendition.language = label.language
        rendition.name = label.name
        rendition.isDefault = true
        return rendition
    }
}
