import CFFmpeg

/// The timing, key-frame flags and sizes of every packet of one video stream, read by the
/// demuxer alone (nothing is decoded): what passthrough eligibility must know before a byte
/// is written, since a copy cannot move a key frame that misses the segment grid.
struct VideoPacketScan {
    struct Packet: Equatable {
        /// Source time base; `kn_nopts()` when the container did not say.
        var pts: Int64
        var isKey: Bool
        var size: Int
    }

    /// In decode order, as the remux will see them.
    var packets: [Packet]
    var timeBase: AVRational

    enum Failure: Error {
        case unreadable(String)
        case cancelled
    }

    /// Reads stream `index` of `path` through its own demuxer (the job's stays at the start),
    /// opened on the header alone: the container's timestamps and flags are all it needs.
    /// Every other stream is discarded, so MP4 and Matroska skip their bytes rather than copy them.
    static func read(path: String, stream index: Int, cancellation: TranscodeCancellation?) throws(Failure) -> VideoPacketScan {
        guard let detected = try? InputFile.detectFormat(path: path) else { throw .unreadable("the format is not recognised") }
        let input: InputFile
        switch InputFile.open(path: path, format: detected.format, streamInfo: false) {
        case .success(let opened): input = opened
        case .failure(.header(let code)), .failure(.streamInfo(let code, _)): throw .unreadable(FFmpegErrorText.phrase(code))
        }
        guard let stream = input.stream(index) else { throw .unreadable("no stream \(index)") }
        // The container's own packets, timestamps and key flags, without a parser splitting
        // or re-timing them (they are not decoded, and the copy takes them as they are).
        input.context.pointee.flags |= AVFMT_FLAG_NOPARSE | AVFMT_FLAG_NOFILLIN
        for other in 0..<input.streamCount where other != index {
            input.stream(other)?.pointee.discard = AVDISCARD_ALL
        }
        var packet = av_packet_alloc()
        defer { av_packet_free(&packet) }
        guard let packet else { throw .unreadable("out of memory") }
        var scan = VideoPacketScan(packets: [], timeBase: stream.pointee.time_base)
        if stream.pointee.nb_frames > 0 { scan.packets.reserveCapacity(Int(stream.pointee.nb_frames)) }
        while true {
            // Checked every few hundred packets: a long film is read from disk here.
            if scan.packets.count % 256 == 0, cancellation?.isCancelled == true { throw .cancelled }
            let read = av_read_frame(input.context, packet)
            if read == kn_averror_eagain() { continue }
            if read == kn_averror_eof() { break }
            guard read >= 0 else { throw .unreadable(FFmpegErrorText.phrase(read)) }
            defer { av_packet_unref(packet) }
            guard Int(packet.pointee.stream_index) == index else { continue }
            let p = packet.pointee
            scan.packets.append(Packet(pts: p.pts, isKey: p.flags & AV_PKT_FLAG_KEY != 0, size: Int(p.size)))
        }
        return scan
    }
}
