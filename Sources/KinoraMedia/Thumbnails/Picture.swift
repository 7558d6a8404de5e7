import CFFmpeg

/// An owned full-range 4:2:0 picture (what JPEG stores), filled by scaling decoded frames
/// into it: a whole candidate frame, or one tile of a sprite sheet.
final class Picture {
    private(set) var frame: UnsafeMutablePointer<AVFrame>?
    let width: Int
    let height: Int
    private var scaler: OpaquePointer?

    static let format = AV_PIX_FMT_YUVJ420P

    init(width: Int, height: Int) throws(TranscodeError) {
        self.width = width
        self.height = height
        frame = av_frame_alloc()
        guard let frame else { throw .filterFailed("out of memory") }
        frame.pointee.width = Int32(width)
        frame.pointee.height = Int32(height)
        frame.pointee.format = Self.format.rawValue
        frame.pointee.color_range = AVCOL_RANGE_JPEG
        guard av_frame_get_buffer(frame, 0) >= 0 else { throw .filterFailed("out of memory") }
        clear()
    }

    deinit {
        sws_freeContext(scaler)
        av_frame_free(&frame)
    }

    /// Black: the background of a sheet's unused tiles.
    func clear() {
        guard let frame else { return }
        for (plane, value) in [(0, UInt8(0)), (1, UInt8(128)), (2, UInt8(128))] {
            let rows = plane == 0 ? height : (height + 1) / 2
            let stride = Int(plane == 0 ? frame.pointee.linesize.0 : plane == 1 ? frame.pointee.linesize.1 : frame.pointee.linesize.2)
            guard let base = plane == 0 ? frame.pointee.data.0 : plane == 1 ? frame.pointee.data.1 : frame.pointee.data.2 else { continue }
            base.update(repeating: value, count: rows * stride)
        }
    }

    /// Scales `source` to `size` (default: the whole picture) and places it at (`x`, `y`),
    /// both even. The scaler is kept for the next frame of the same shape.
    func draw(_ source: UnsafeMutablePointer<AVFrame>, x: Int = 0, y: Int = 0, size: (width: Int, height: Int)? = nil) throws(TranscodeError) {
        guard let frame else { return }
        let target = size ?? (width, height)
        guard x >= 0, y >= 0, x + target.width <= width, y + target.height <= height else { return }
        scaler = sws_getCachedContext(
            scaler, source.pointee.width, source.pointee.height, AVPixelFormat(rawValue: source.pointee.format),
            Int32(target.width), Int32(target.height), Self.format, Int32(SWS_BICUBIC), nil, nil, nil)
        guard let scaler else { throw .filterFailed("no scaler for the thumbnails") }
        let planes: [UnsafeMutablePointer<UInt8>?] = [
            frame.pointee.data.0.map { $0 + y * Int(frame.pointee.linesize.0) + x },
            frame.pointee.data.1.map { $0 + (y / 2) * Int(frame.pointee.linesize.1) + x / 2 },
            frame.pointee.data.2.map { $0 + (y / 2) * Int(frame.pointee.linesize.2) + x / 2 },
            nil,
        ]
        let strides: [Int32] = [frame.pointee.linesize.0, frame.pointee.linesize.1, frame.pointee.linesize.2, 0]
        let sources: [UnsafePointer<UInt8>?] = [
            UnsafePointer(source.pointee.data.0), UnsafePointer(source.pointee.data.1),
            UnsafePointer(source.pointee.data.2), UnsafePointer(source.pointee.data.3),
        ]
        let sourceStrides: [Int32] = [source.pointee.linesize.0, source.pointee.linesize.1, source.pointee.linesize.2, source.pointee.linesize.3]
        let scaled = sws_scale(scaler, sources, sourceStrides, 0, source.pointee.height, planes, strides)
        guard scaled > 0 else { throw .filterFailed("scaling a thumbnail failed: \(FFmpegErrorText.phrase(scaled))") }
    }

    /// How much is going on in the picture: the spread of its brightness. A black, white or
    /// flat frame scores near zero, so it is not chosen as the poster.
    var interest: Double {
        guard let frame, let luma = frame.pointee.data.0 else { return 0 }
        let stride = Int(frame.pointee.linesize.0)
        var sum = 0.0, squares = 0.0, count = 0.0
        for row in Swift.stride(from: 0, to: height, by: 4) {
            for column in Swift.stride(from: 0, to: width, by: 4) {
                let value = Double(luma[row * stride + column])
                sum += value
                squares += value * value
                count += 1
            }
        }
        guard count > 0 else { return 0 }
        let mean = sum / count
        return (squares / count - mean * mean).squareRoot()
    }

    /// The picture as a JPEG file (libavcodec's MJPEG encoder, quality `scale` 2 best … 31).
    /// `rows`: only the top rows (a last sprite sheet that is not full).
    func writeJPEG(to path: String, display: String, rows: Int? = nil, scale: Int32 = 4) throws(TranscodeError) {
        guard let frame else { return }
        let height = min(self.height, max(2, rows ?? self.height))
        frame.pointee.height = Int32(height)
        defer { frame.pointee.height = Int32(self.height) }
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG) else { throw .encoderMissing("the MJPEG encoder is not in this FFmpeg build") }
        var context = avcodec_alloc_context3(codec)
        var packet = av_packet_alloc()
        defer {
            avcodec_free_context(&context)
            av_packet_free(&packet)
        }
        guard let context, let packet else { throw .encodeFailed("thumbnails", "out of memory") }
        context.pointee.width = Int32(width)
        context.pointee.height = Int32(height)
        context.pointee.pix_fmt = Self.format
        context.pointee.color_range = AVCOL_RANGE_JPEG
        context.pointee.time_base = AVRational(num: 1, den: 25)
        context.pointee.flags |= AV_CODEC_FLAG_QSCALE
        context.pointee.global_quality = FF_QP2LAMBDA * scale
        let opened = avcodec_open2(context, codec, nil)
        guard opened >= 0 else { throw .encodeFailed("thumbnails", "the JPEG encoder could not be opened: \(FFmpegErrorText.phrase(opened))") }
        frame.pointee.quality = context.pointee.global_quality
        frame.pointee.pts = 0
        var sent = avcodec_send_frame(context, frame)
        if sent >= 0 { sent = avcodec_send_frame(context, nil) }
        guard sent >= 0 else { throw .encodeFailed("thumbnails", FFmpegErrorText.phrase(sent)) }
        let received = avcodec_receive_packet(context, packet)
        guard received >= 0, let data = packet.pointee.data else {
            throw .encodeFailed("thumbnails", "no JPEG came out: \(FFmpegErrorText.phrase(received))")
        }
        try SegmentFile.write(Array(UnsafeBufferPointer(start: data, count: Int(packet.pointee.size))), to: path, display: display)
    }
}
