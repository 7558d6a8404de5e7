import CFFmpeg

/// The H.264 encoder a transcode uses: the configured one when it can really be opened on
/// this machine, else libx264 with the reason.
///
/// Debian's FFmpeg includes h264_nvenc and h264_vaapi whether or not the hardware exists, so
/// being compiled in proves nothing: the choice opens the encoder on a tiny picture.
public struct EncoderChoice: Sendable, Equatable {
    public static let software = "libx264"

    /// The configured encoder's name.
    public var requested: String
    /// The encoder to use.
    public var name: String
    /// Why `requested` is not used, or nil when it is.
    public var fallbackReason: String?

    public var isFallback: Bool { fallbackReason != nil }

    /// Probes `requested` (and libx264 when falling back). Throws when libx264 itself is missing.
    public static func choose(_ requested: String) throws(TranscodeError) -> EncoderChoice {
        FFmpegLogging.install()
        let wanted = requested.trimmingWhitespace.isEmpty ? software : requested.trimmingWhitespace
        var reason: String?
        switch tryOpen(wanted) {
        case nil:
            return EncoderChoice(requested: wanted, name: wanted, fallbackReason: nil)
        case let failure?:
            reason = failure
        }
        if wanted != software, let failure = tryOpen(software) {
            throw .encoderMissing("\(wanted): \(reason ?? "unusable"); \(software): \(failure)")
        }
        if wanted == software {
            throw .encoderMissing("\(software): \(reason ?? "unusable")")
        }
        return EncoderChoice(requested: wanted, name: software, fallbackReason: "\(wanted) \(reason ?? "is unusable"), using \(software)")
    }

    /// nil when the encoder opens on a 256x144 yuv420p picture, else why not.
    static func tryOpen(_ name: String) -> String? {
        guard let codec = avcodec_find_encoder_by_name(name) else {
            return "is not in this FFmpeg build"
        }
        guard codec.pointee.type == AVMEDIA_TYPE_VIDEO, codec.pointee.id == AV_CODEC_ID_H264 else {
            return "is not an H.264 video encoder"
        }
        var context = avcodec_alloc_context3(codec)
        defer { avcodec_free_context(&context) }
        guard let context else { return "could not be allocated" }
        context.pointee.width = 256
        context.pointee.height = 144
        context.pointee.time_base = AVRational(num: 1, den: 30)
        context.pointee.framerate = AVRational(num: 30, den: 1)
        context.pointee.pix_fmt = preferredPixelFormat(codec)
        context.pointee.bit_rate = 200_000
        let opened = avcodec_open2(context, codec, nil)
        return opened < 0 ? "could not be opened (\(FFmpegErrorText.phrase(opened)))" : nil
    }

    /// yuv420p when the encoder takes it, else its first pixel format.
    static func preferredPixelFormat(_ codec: UnsafePointer<AVCodec>) -> AVPixelFormat {
        guard let formats = codec.pointee.pix_fmts else { return AV_PIX_FMT_YUV420P }
        var index = 0
        var first: AVPixelFormat?
        while formats[index] != AV_PIX_FMT_NONE {
            if formats[index] == AV_PIX_FMT_YUV420P { return AV_PIX_FMT_YUV420P }
            if first == nil { first = formats[index] }
            index += 1
        }
        return first ?? AV_PIX_FMT_YUV420P
    }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s = s.dropFirst() }
        while let c = s.last, c.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
