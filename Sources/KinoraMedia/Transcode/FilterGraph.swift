import CFFmpeg

/// A libavfilter graph with one buffer source and one buffer sink: rotation, deinterlacing
/// and the constant frame rate for video; resampling to 48 kHz stereo in 1024-sample frames
/// for AAC. Owns the graph (and so its filters); freed on deinit.
final class FilterGraph {
    private var graph: UnsafeMutablePointer<AVFilterGraph>?
    private let source: UnsafeMutablePointer<AVFilterContext>
    private let sink: UnsafeMutablePointer<AVFilterContext>
    private(set) var finished = false

    enum Pull {
        case frame
        case again
        case end
    }

    private init(sourceFilter: String, sourceArguments: String, sinkFilter: String, description: String) throws(TranscodeError) {
        guard let graph = avfilter_graph_alloc() else { throw .filterFailed("out of memory") }
        self.graph = graph
        var source: UnsafeMutablePointer<AVFilterContext>?
        var sink: UnsafeMutablePointer<AVFilterContext>?
        var result = avfilter_graph_create_filter(&source, avfilter_get_by_name(sourceFilter), "in", sourceArguments, nil, graph)
        if result >= 0 {
            result = avfilter_graph_create_filter(&sink, avfilter_get_by_name(sinkFilter), "out", nil, nil, graph)
        }
        guard result >= 0, let source, let sink else {
            var owned: UnsafeMutablePointer<AVFilterGraph>? = graph
            avfilter_graph_free(&owned)
            throw .filterFailed("\(sourceFilter) \(sourceArguments): \(FFmpegErrorText.phrase(result))")
        }
        self.source = source
        self.sink = sink

        var outputsList = avfilter_inout_alloc()
        var inputsList = avfilter_inout_alloc()
        if let outputs = outputsList, let inputs = inputsList {
            outputs.pointee.name = av_strdup("in")
            outputs.pointee.filter_ctx = source
            outputs.pointee.pad_idx = 0
            outputs.pointee.next = nil
            inputs.pointee.name = av_strdup("out")
            inputs.pointee.filter_ctx = sink
            inputs.pointee.pad_idx = 0
            inputs.pointee.next = nil
            // parse_ptr links what it can and leaves the unlinked rest in the lists.
            result = avfilter_graph_parse_ptr(graph, description, &inputsList, &outputsList, nil)
        } else {
            result = kn_averror(ENOMEM)
        }
        avfilter_inout_free(&inputsList)
        avfilter_inout_free(&outputsList)
        guard result >= 0 else { throw .filterFailed("\(description): \(FFmpegErrorText.phrase(result))") }
        result = avfilter_graph_config(graph, nil)
        guard result >= 0 else { throw .filterFailed("\(description): \(FFmpegErrorText.phrase(result))") }
    }

    deinit {
        avfilter_graph_free(&graph)
    }

    /// Video: `decoder`'s pictures, deinterlaced when `deinterlace`, turned `rotation`
    /// degrees clockwise, at a constant `frameRate` (frames dropped or repeated).
    static func video(
        decoder: UnsafeMutablePointer<AVCodecContext>, timeBase: AVRational, rotation: Int,
        deinterlace: Bool, frameRate: AVRational
    ) throws(TranscodeError) -> FilterGraph {
        let c = decoder.pointee
        let sar = c.sample_aspect_ratio.num > 0 && c.sample_aspect_ratio.den > 0 ? c.sample_aspect_ratio : AVRational(num: 1, den: 1)
        let arguments =
            "video_size=\(c.width)x\(c.height):pix_fmt=\(c.pix_fmt.rawValue):time_base=\(timeBase.num)/\(timeBase.den)"
            + ":pixel_aspect=\(sar.num)/\(sar.den)"
        var filters: [String] = []
        if deinterlace { filters.append("yadif=mode=send_frame:parity=auto:deint=interlaced") }
        switch ((rotation % 360) + 360) % 360 {
        case 90: filters.append("transpose=clock")
        case 180: filters += ["hflip", "vflip"]
        case 270: filters.append("transpose=cclock")
        default: break
        }
        filters.append("fps=fps=\(frameRate.num)/\(frameRate.den)")
        return try FilterGraph(
            sourceFilter: "buffer", sourceArguments: arguments, sinkFilter: "buffersink",
            description: filters.joined(separator: ","))
    }

    /// Audio: `decoder`'s samples as 48 kHz planar float in `outputLayout` ("stereo", "5.1"; more
    /// channels are downmixed) in frames of `frameSize`.
    static func audio(
        decoder: UnsafeMutablePointer<AVCodecContext>, timeBase: AVRational, frameSize: Int32, outputLayout: String = "stereo"
    ) throws(TranscodeError) -> FilterGraph {
        var layout = AVChannelLayout()
        defer { av_channel_layout_uninit(&layout) }
        if decoder.pointee.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || decoder.pointee.ch_layout.nb_channels == 0 {
            av_channel_layout_default(&layout, max(1, decoder.pointee.ch_layout.nb_channels))
        } else {
            _ = av_channel_layout_copy(&layout, &decoder.pointee.ch_layout)
        }
        let described = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 128) { buffer -> String in
            guard let base = buffer.baseAddress else { return "" }
            return String(cString: kn_channel_layout_describe(&layout, base, 128))
        }
        let format = av_get_sample_fmt_name(decoder.pointee.sample_fmt).map { String(cString: $0) } ?? "fltp"
        let arguments =
            "time_base=\(timeBase.num)/\(timeBase.den):sample_rate=\(decoder.pointee.sample_rate)"
            + ":sample_fmt=\(format):channel_layout=\(described)"
        let graph = try FilterGraph(
            sourceFilter: "abuffer", sourceArguments: arguments, sinkFilter: "abuffersink",
            description: "aresample=48000,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=\(outputLayout)")
        av_buffersink_set_frame_size(graph.sink, UInt32(frameSize))
        return graph
    }

    /// The sink's time base (video: 1/frame rate after fps).
    var outputTimeBase: AVRational { av_buffersink_get_time_base(sink) }

    /// Hands `frame`'s data to the graph (the frame is left empty, unless `keepReference`: then
    /// the graph takes a new reference, for another graph to take the frame next); nil ends
    /// the stream.
    func push(_ frame: UnsafeMutablePointer<AVFrame>?, keepReference: Bool = false) throws(TranscodeError) {
        let result = av_buffersrc_add_frame_flags(source, frame, keepReference ? Int32(kn_buffersrc_flag_keep_ref()) : 0)
        guard result >= 0 else { throw .filterFailed(FFmpegErrorText.phrase(result)) }
    }

    /// Ends the stream at `pts` (the source's time base): the end of the last frame, so the
    /// fps filter keeps (or repeats up to) it instead of dropping the last frame.
    func close(at pts: Int64) throws(TranscodeError) {
        let result = av_buffersrc_close(source, pts, UInt32(AV_BUFFERSRC_FLAG_PUSH))
        guard result >= 0 else { throw .filterFailed(FFmpegErrorText.phrase(result)) }
    }

    /// Takes the next filtered frame into `frame` (which must be empty).
    func pull(into frame: UnsafeMutablePointer<AVFrame>) throws(TranscodeError) -> Pull {
        let result = av_buffersink_get_frame(sink, frame)
        if result == kn_averror_eagain() { return .again }
        if result == kn_averror_eof() {
            finished = true
            return .end
        }
        guard result >= 0 else { throw .filterFailed(FFmpegErrorText.phrase(result)) }
        return .frame
    }
}
