import CFFmpeg

/// Which encoders the linked libavcodec was built with.
///
/// "Available" means compiled in (avcodec_find_encoder_by_name): Debian's build includes
/// h264_nvenc and h264_vaapi even on machines without the hardware, so a hardware encoder
/// that is available may still fail to open.
public enum EncoderProbe {
    /// The encoders Kinora can use: software H.264 and AAC, and the hardware H.264 encoders.
    public static let knownEncoders = ["libx264", "h264_nvenc", "h264_vaapi", "aac"]

    public static func available(_ names: [String] = knownEncoders) -> [String: Bool] {
        FFmpegLogging.install()
        var result: [String: Bool] = [:]
        for name in names {
            result[name] = avcodec_find_encoder_by_name(name) != nil
        }
        return result
    }
}
