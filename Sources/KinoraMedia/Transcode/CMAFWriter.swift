import CFFmpeg
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One rendition's CMAF output through libavformat's mp4 muxer in fragmented mode: the
/// header goes to `<id>/init.mp4`, every fragment the caller cuts to `<id>/seg-NNNNN.m4s`.
/// The muxer writes into memory (a custom AVIOContext); each fragment is inspected (tfdt,
/// trun) for the index and written to its own file. Owns every FFmpeg object it makes.
final class CMAFWriter {
    let id: String
    let folder: String
    private var context: UnsafeMutablePointer<AVFormatContext>?
    private var io: UnsafeMutablePointer<AVIOContext>?
    private let sink = ByteSink()
    private let encoderTimeBase: AVRational
    private(set) var timescale: Int64 = 0
    /// The segments cut so far. Locked: a progressive transcode reads every rendition's list
    /// from whichever thread cut the segment that completed a set (``SegmentBoard``).
    var segments: [Rendition.Segment] { segmentLock.withLock { cutSegments } }
    private var cutSegments: [Rendition.Segment] = []
    private let segmentLock = NSLock()
    /// Told of every segment once its file is whole.
    var board: SegmentBoard?
    private var pendingPackets = 0
    private var headerWritten = false

    /// The init segment as the muxer wrote it; stored (with its edit list, if any) at the first
    /// packet, whose timestamps decide the edit.
    private var pendingInit: [UInt8]?
    /// Ticks added to every timestamp so the first decode time is 0 (the encoder's negative
    /// start: B-frame reordering delay; audio has none, its priming is left out, see
    /// `AudioStart`, unless a copied packet straddles 0); the edit list's media time.
    private(set) var editMediaTime: Int64 = 0
    private var shift: Int64?

    /// movflags: fragments only when told (av_write_frame(ctx, NULL)), an empty moov in the
    /// init segment, tfhd default-base-is-moof; no per-fragment sidx and no mfra trailer.
    /// Not `cmaf`: it forces negative composition offsets without an edit list, which
    /// libavformat's demuxer undoes by delaying the pictures (see `EditList`).
    static let movflags = "+frag_custom+empty_moov+default_base_moof+skip_sidx+skip_trailer"

    /// Opens the muxer for the encoder's stream and writes `<folder>/init.mp4`.
    convenience init(id: String, folder: String, encoder: UnsafeMutablePointer<AVCodecContext>) throws(TranscodeError) {
        let video = encoder.pointee.codec_type == AVMEDIA_TYPE_VIDEO
        try self.init(id: id, folder: folder, timeBase: encoder.pointee.time_base, frameRate: video ? encoder.pointee.framerate : nil) {
            avcodec_parameters_from_context($0, encoder) >= 0
        }
    }

    /// Opens the muxer for a stream that `describe` fills in (from an encoder, or copied from
    /// a source stream), with packets timed in `timeBase`, and writes `<folder>/init.mp4`.
    init(
        id: String, folder: String, timeBase: AVRational, frameRate: AVRational?,
        describe: (UnsafeMutablePointer<AVCodecParameters>) -> Bool
    ) throws(TranscodeError) {
        self.id = id
        self.folder = folder
        encoderTimeBase = timeBase
        var created: UnsafeMutablePointer<AVFormatContext>?
        guard avformat_alloc_output_context2(&created, nil, "mp4", nil) >= 0, let created else {
            throw .muxFailed("the mp4 muxer is not in this FFmpeg build")
        }
        context = created
        let bufferSize = 1 << 16
        guard let buffer = av_malloc(bufferSize)?.assumingMemoryBound(to: UInt8.self) else {
            throw .muxFailed("out of memory")
        }
        let opaque = Unmanaged.passUnretained(sink).toOpaque()
        guard
            let io = avio_alloc_context(
                buffer, Int32(bufferSize), 1, opaque, nil,
                { opaque, data, size in
                    guard let opaque, let data, size > 0 else { return 0 }
                    Unmanaged<ByteSink>.fromOpaque(opaque).takeUnretainedValue().append(data, count: Int(size))
                    return size
                }, nil)
        else {
            var unused: UnsafeMutableRawPointer? = UnsafeMutableRawPointer(buffer)
            av_freep(&unused)
            throw .muxFailed("out of memory")
        }
        self.io = io
        created.pointee.pb = io
        created.pointee.flags |= AVFMT_FLAG_CUSTOM_IO

        guard let stream = avformat_new_stream(created, nil) else { throw .muxFailed("could not add a stream") }
        guard let parameters = stream.pointee.codecpar, describe(parameters) else {
            throw .muxFailed("could not copy the stream parameters")
        }
        stream.pointee.time_base = timeBase
        if let frameRate {
            stream.pointee.avg_frame_rate = frameRate
        }

        var options: OpaquePointer?
        defer { av_dict_free(&options) }
        av_dict_set(&options, "movflags", Self.movflags, 0)
        let written = avformat_write_header(created, &options)
        guard written >= 0 else { throw .muxFailed("\(id): \(FFmpegErrorText.phrase(written))") }
        headerWritten = true
        timescale = Int64(stream.pointee.time_base.den)
        avio_flush(io)
        pendingInit = sink.take()
    }

    deinit {
        if let context {
            // The muxer's private state is freed with the context; the custom I/O is ours.
            context.pointee.pb = nil
            avformat_free_context(context)
        }
        if let io {
            var buffer: UnsafeMutableRawPointer? = io.pointee.buffer.map { UnsafeMutableRawPointer($0) }
            av_freep(&buffer)
            var owned: UnsafeMutablePointer<AVIOContext>? = io
            avio_context_free(&owned)
        }
    }

    /// Writes one encoded packet (in the encoder's time base). `startsSegment`: the packet is
    /// the key frame at a segment boundary, so the fragment before it is cut first.
    func write(_ packet: UnsafeMutablePointer<AVPacket>, startsSegment: Bool) throws(TranscodeError) {
        guard let context, let stream = context.pointee.streams?[0] else { throw .muxFailed("\(id): the muxer is closed") }
        if startsSegment, pendingPackets > 0 { try cut() }
        packet.pointee.stream_index = 0
        av_packet_rescale_ts(packet, encoderTimeBase, stream.pointee.time_base)
        let shift: Int64
        if let known = self.shift { shift = known } else { shift = try startTimeline(packet) }
        if packet.pointee.pts != kn_nopts() { packet.pointee.pts += shift }
        if packet.pointee.dts != kn_nopts() { packet.pointee.dts += shift }
        let result = av_write_frame(context, packet)
        guard result >= 0 else { throw .muxFailed("\(id): \(FFmpegErrorText.phrase(result))") }
        pendingPackets += 1
    }

    /// The first packet (in the stream's time base, on the presentation clock: 0 is the first
    /// picture or the first real audio sample) fixes the shift and stores the init segment
    /// with its edit list (none when the shift is 0).
    private func startTimeline(_ packet: UnsafeMutablePointer<AVPacket>) throws(TranscodeError) -> Int64 {
        let first = packet.pointee.dts != kn_nopts() ? packet.pointee.dts : packet.pointee.pts
        let shift = first == kn_nopts() ? 0 : max(0, -first)
        self.shift = shift
        editMediaTime = shift
        try storeInit()
        return shift
    }

    private func storeInit() throws(TranscodeError) {
        guard let bytes = pendingInit else { return }
        pendingInit = nil
        // Nothing to trim, no edit list: one that says "from 0" would only be one more thing
        // for a player to read wrong.
        var edited = bytes
        do {
            if editMediaTime > 0 { edited = try EditList.inserting(into: bytes, mediaTime: editMediaTime) }
        } catch {
            throw .muxFailed("\(id): \(error)")
        }
        try SegmentFile.write(edited, to: folder + "/init.mp4", display: "\(id)/init.mp4")
    }

    /// Cuts the last fragment; the trailer (no mfra: skip_trailer) is written and dropped.
    func finish() throws(TranscodeError) {
        try storeInit()
        guard let context else { return }
        if pendingPackets > 0 { try cut() }
        if headerWritten {
            headerWritten = false
            let result = av_write_trailer(context)
            _ = sink.take()
            guard result >= 0 else { throw .muxFailed("\(id): \(FFmpegErrorText.phrase(result))") }
        }
    }

    /// Flushes the current fragment to the next segment file and indexes it.
    private func cut() throws(TranscodeError) {
        guard let context, let io else { return }
        let flushed = av_write_frame(context, nil)
        guard flushed >= 0 else { throw .muxFailed("\(id): \(FFmpegErrorText.phrase(flushed))") }
        avio_flush(io)
        if io.pointee.error < 0 { throw .muxFailed("\(id): \(FFmpegErrorText.phrase(io.pointee.error))") }
        pendingPackets = 0
        let segment = try sink.consume { bytes throws(TranscodeError) -> Rendition.Segment? in
            guard !bytes.isEmpty else { return nil }
            let fragment: FragmentInspector
            do {
                fragment = try FragmentInspector.inspect(bytes)
            } catch {
                throw .muxFailed("\(id): \(error)")
            }
            let name = Self.segmentName(cutSegments.count + 1)
            try SegmentFile.write(bytes, to: folder + "/" + name, display: "\(id)/\(name)")
            // Presentation times, after the edit list: what players show (what it trims before
            // 0 is not counted in the first segment).
            let start = max(0, fragment.baseDecodeTime + fragment.presentationStart - editMediaTime)
            let end = fragment.baseDecodeTime + fragment.presentationEnd - editMediaTime
            return Rendition.Segment(
                uri: "\(id)/\(name)", start: start, duration: max(0, end - start),
                size: Int64(bytes.count), iframe: Rendition.ByteRange(offset: 0, size: fragment.firstSampleEnd))
        }
        guard let segment else { return }
        let count = segmentLock.withLock {
            cutSegments.append(segment)
            return cutSegments.count
        }
        board?.cut(id, count: count)
    }
}

/// The bytes the muxer wrote since the last `take()`.
final class ByteSink {
    private var bytes: [UInt8] = []

    func append(_ data: UnsafePointer<UInt8>, count: Int) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: count))
    }

    func take() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }

    /// Hands the bytes to `body` (borrowed: it must not keep them), then empties the sink but
    /// keeps its storage. Fragments are megabytes: growing a fresh array for each one costs
    /// a fresh mapping and its page faults every time, more than the copy remux itself.
    func consume<T>(_ body: ([UInt8]) throws(TranscodeError) -> T) throws(TranscodeError) -> T {
        defer { bytes.removeAll(keepingCapacity: true) }
        return try body(bytes)
    }
}

extension CMAFWriter {
    /// "seg-00001.m4s".
    static func segmentName(_ number: Int) -> String {
        let digits = String(number)
        return "seg-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + ".m4s"
    }
}

/// Writes whole files with POSIX calls, so a full disk is told apart from other failures.
enum SegmentFile {
    static func write(_ bytes: [UInt8], to path: String, display: String) throws(TranscodeError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure(errno, display) }
        var failed: Int32?
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count, let base = raw.baseAddress {
                let written = systemWrite(descriptor, base + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failed = errno
                    return
                }
                offset += written
            }
        }
        if close(descriptor) != 0, failed == nil { failed = errno }
        if let failed { throw failure(failed, display) }
    }

    static func makeFolder(_ path: String) throws(TranscodeError) {
        if mkdir(path, 0o755) != 0, errno != EEXIST { throw failure(errno, path) }
    }

    static func failure(_ code: Int32, _ display: String) -> TranscodeError {
        if code == ENOSPC || code == EDQUOT { return .noSpace(display) }
        return .writeFailed("\(display): \(String(cString: strerror(code)))")
    }
}

/// write(2), outside `SegmentFile` whose own `write` would shadow it.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
