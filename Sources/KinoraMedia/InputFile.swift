import CFFmpeg

/// One opened input: owns its AVFormatContext (closed on deinit, on every path).
/// Not shared between threads: each probe opens its own.
final class InputFile {
    let context: UnsafeMutablePointer<AVFormatContext>

    private init(context: UnsafeMutablePointer<AVFormatContext>) {
        self.context = context
    }

    deinit {
        var context: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&context)
    }

    /// The demuxer libavformat picks for the file (av_probe_input_buffer2, as
    /// avformat_open_input would), or nil when nothing recognises the data.
    static func detectFormat(path: String) throws(MediaProbeError) -> (format: UnsafePointer<AVInputFormat>, score: Int32)? {
        var io: UnsafeMutablePointer<AVIOContext>?
        let opened = avio_open2(&io, url(path), kn_avio_flag_read(), nil, nil)
        guard opened >= 0, io != nil else {
            throw .unreadable(FFmpegErrorText.phrase(opened))
        }
        defer { avio_closep(&io) }
        var format: UnsafePointer<AVInputFormat>?
        let score = av_probe_input_buffer2(io, &format, path, nil, 0, 0)
        if score == kn_averror_invaliddata() { return nil }
        guard score >= 0 else {
            throw .unreadable(FFmpegErrorText.phrase(score))
        }
        guard let format else { return nil }
        return (format, score)
    }

    /// Opens the file with the demuxer already chosen (so nothing else is probed), reading
    /// only through the file protocol. Without `streamInfo` only the container's header is
    /// read: no frame is decoded (H.264's stream info decodes up to 7), which is all that
    /// copying packets needs; `readStreamInfo()` can complete it before anything is demuxed.
    static func open(path: String, format: UnsafePointer<AVInputFormat>, streamInfo: Bool = true) -> Result<InputFile, OpenFailure> {
        var options: OpaquePointer?
        av_dict_set(&options, "protocol_whitelist", "file", 0)
        defer { av_dict_free(&options) }
        var context: UnsafeMutablePointer<AVFormatContext>?
        let opened = avformat_open_input(&context, url(path), format, &options)
        guard opened >= 0, let context else {
            return .failure(.header(opened))
        }
        let input = InputFile(context: context)
        if streamInfo, let failure = input.readStreamInfo() {
            return .failure(failure)
        }
        return .success(input)
    }

    /// avformat_find_stream_info; nil when it succeeded.
    func readStreamInfo() -> OpenFailure? {
        let found = avformat_find_stream_info(context, nil)
        return found < 0 ? .streamInfo(found, streamCount: streamCount) : nil
    }

    enum OpenFailure: Error {
        /// avformat_open_input failed (the header could not be read).
        case header(Int32)
        /// avformat_find_stream_info failed.
        case streamInfo(Int32, streamCount: Int)
    }

    /// "file:" + path: the path is never read as another protocol ("concat:", "http:").
    static func url(_ path: String) -> String { "file:" + path }

    var formatName: String {
        context.pointee.iformat?.pointee.name.map { String(cString: $0) } ?? "unknown"
    }

    var formatLongName: String? {
        context.pointee.iformat?.pointee.long_name.map { String(cString: $0) }
    }

    var streamCount: Int { Int(context.pointee.nb_streams) }

    func stream(_ index: Int) -> UnsafeMutablePointer<AVStream>? {
        guard index >= 0, index < streamCount, let streams = context.pointee.streams else { return nil }
        return streams[index]
    }

    /// Seconds, from the container or else the longest stream.
    var duration: Double? {
        let duration = context.pointee.duration
        if duration != kn_nopts(), duration > 0 {
            return Double(duration) / Double(kn_time_base())
        }
        return nil
    }

    var bitRate: Int? {
        context.pointee.bit_rate > 0 ? Int(context.pointee.bit_rate) : nil
    }

    /// The furthest byte the demuxer's index refers to, over all streams (-1 without an index).
    var indexEnd: Int64 {
        var end: Int64 = -1
        for index in 0..<streamCount {
            if let stream = stream(index) {
                end = max(end, kn_stream_index_end(stream))
            }
        }
        return end
    }

    /// av_find_best_stream's choice for the type (no decoder lookup), or nil.
    func bestStream(_ type: AVMediaType) -> Int? {
        let index = av_find_best_stream(context, type, -1, -1, nil, 0)
        return index >= 0 ? Int(index) : nil
    }
}
