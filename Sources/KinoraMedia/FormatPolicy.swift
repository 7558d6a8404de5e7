/// Which demuxers and codecs Kinora refuses before (or instead of) decoding.
enum FormatPolicy {
    enum Verdict: Equatable {
        case accept
        /// A single-picture format (image2, png_pipe, jpeg_pipe, …).
        case stillImage
        /// Text that FFmpeg can render (ANSI art, ffmetadata).
        case text
        /// A playlist or script that makes the demuxer open other files or URLs.
        case reference
    }

    static func verdict(formatName: String) -> Verdict {
        let names = formatName.split(separator: ",").map(String.init)
        if names.contains(where: { stillImageFormats.contains($0) || $0.hasSuffix("_pipe") }) {
            return .stillImage
        }
        if names.contains(where: { textFormats.contains($0) }) { return .text }
        if names.contains(where: { referenceFormats.contains($0) }) { return .reference }
        return .accept
    }

    /// The image2 demuxer (chosen by file extension: .jpg, .png, .bmp, …) and its pipe variant;
    /// every `*_pipe` demuxer of FFmpeg 5.1 is an image format too (png_pipe, jpeg_pipe, webp_pipe, …).
    static let stillImageFormats: Set<String> = ["image2", "image2pipe"]

    /// ANSI art and text formats FFmpeg turns into a "video" of rendered text.
    static let textFormats: Set<String> = ["tty", "bin", "xbin", "adf", "idf", "ffmetadata"]

    /// Demuxers that read other files or URLs named inside the input: opening an uploaded
    /// playlist would read local files or reach the network (the classic HLS/concat SSRF).
    static let referenceFormats: Set<String> = [
        "hls", "dash", "concat", "sdp", "rtp", "rtsp", "imf", "avisynth", "vapoursynth", "lavfi",
    ]

    /// Codecs of single pictures: a file whose only video stream uses one of these and holds a
    /// single packet is a still image, whatever the container (a one-frame GIF, a PNG in MKV).
    static let imageCodecs: Set<String> = [
        "png", "apng", "mjpeg", "jpeg2000", "jpegls", "jpegxl", "bmp", "gif", "webp", "tiff",
        "qoi", "targa", "pam", "pbm", "pgm", "ppm", "pgmyuv", "pcx", "sgi", "sunrast", "xbm",
        "xpm", "xwd", "dds", "exr", "photocd", "psd", "svg", "pictor", "vbn", "radiance_hdr",
        "pfm", "phm", "gem", "cri", "dpx", "alias_pix", "brender_pix", "fits",
    ]
}
