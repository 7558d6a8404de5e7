import CFFmpeg

/// The FFmpeg libraries this process is linked against (for `kinora doctor` and bug reports).
public struct FFmpegVersions: Sendable, Codable, Equatable {
    /// FFmpeg's own release string ("5.1.9-0+deb12u1").
    public var ffmpeg: String
    /// "major.minor.micro" of each library ("59.27.100").
    public var libavformat: String
    public var libavcodec: String
    public var libswscale: String
    public var libavutil: String

    public init(ffmpeg: String, libavformat: String, libavcodec: String, libswscale: String, libavutil: String) {
        self.ffmpeg = ffmpeg
        self.libavformat = libavformat
        self.libavcodec = libavcodec
        self.libswscale = libswscale
        self.libavutil = libavutil
    }

    /// The versions of the libraries loaded at run time (not the headers built against).
    public static var current: FFmpegVersions {
        FFmpegLogging.install()
        return FFmpegVersions(
            ffmpeg: av_version_info().map { String(cString: $0) } ?? "unknown",
            libavformat: dotted(avformat_version()),
            libavcodec: dotted(avcodec_version()),
            libswscale: dotted(swscale_version()),
            libavutil: dotted(avutil_version())
        )
    }

    /// AV_VERSION_INT(a, b, c) is (a << 16 | b << 8 | c).
    static func dotted(_ version: UInt32) -> String {
        "\(version >> 16).\((version >> 8) & 0xFF).\(version & 0xFF)"
    }
}
