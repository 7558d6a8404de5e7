import CFFmpeg

/// Reads the first packets of a file and decodes the chosen streams until each has produced a
/// frame (and has shown a second packet, which tells a video from a single picture).
struct DecodeCheck {
    /// The most packets read (of all streams) before giving up on a stream that decoded nothing.
    static let packetBudget = 2000

    var decoders: [StreamDecoder]
    /// Set when av_read_frame failed with something other than the end of the file.
    var readError: Int32?
    /// Whether the whole file was read.
    var reachedEnd = false

    static func run(input: InputFile, streams: [MediaStreamInfo]) -> DecodeCheck {
        var decoders: [StreamDecoder] = []
        for info in streams {
            guard let stream = input.stream(info.index) else { continue }
            decoders.append(StreamDecoder(stream: stream, info: info))
        }
        var check = DecodeCheck(decoders: decoders)
        // Nothing else is needed: let the demuxer skip the other streams' packets.
        let wanted = Set(streams.map(\.index))
        for index in 0..<input.streamCount where !wanted.contains(index) {
            input.stream(index)?.pointee.discard = AVDISCARD_ALL
        }
        check.read(input)
        return check
    }

    private mutating func read(_ input: InputFile) {
        var packet = av_packet_alloc()
        defer { av_packet_free(&packet) }
        guard let packet else { return }
        var read = 0
        while read < Self.packetBudget, !isSatisfied {
            let result = av_read_frame(input.context, packet)
            if result == kn_averror_eof() {
                reachedEnd = true
                break
            }
            if result < 0 {
                readError = result
                break
            }
            read += 1
            let index = Int(packet.pointee.stream_index)
            decoders.first { $0.streamIndex == index }?.decode(packet)
            av_packet_unref(packet)
        }
        for decoder in decoders where decoder.frames == 0 {
            decoder.flush()
        }
    }

    private var isSatisfied: Bool {
        decoders.allSatisfy { !$0.isOpen || ($0.frames > 0 && $0.packets > 1) }
    }

    func decoder(for index: Int?) -> StreamDecoder? {
        guard let index else { return nil }
        return decoders.first { $0.streamIndex == index }
    }

    /// Why a stream decoded nothing, for `MediaProbeError.truncated`.
    func failure(of decoder: StreamDecoder) -> String? {
        guard decoder.frames == 0 else { return nil }
        let stream = "the \(decoder.kind.rawValue) stream (\(decoder.codecName))"
        if let openError = decoder.openError {
            return "the decoder for \(stream) could not be opened: \(FFmpegErrorText.phrase(openError))"
        }
        if decoder.packets == 0 {
            if let readError {
                return "reading \(stream) failed: \(FFmpegErrorText.phrase(readError))"
            }
            return reachedEnd ? "\(stream) has no data" : "\(stream) has no data in the first \(Self.packetBudget) packets"
        }
        let packets = decoder.packets == 1 ? "its first packet" : "its first \(decoder.packets) packets"
        if let lastError = decoder.lastError {
            return "\(stream) did not decode (\(packets)): \(FFmpegErrorText.phrase(lastError))"
        }
        return "\(stream) produced nothing from \(packets)"
    }
}
