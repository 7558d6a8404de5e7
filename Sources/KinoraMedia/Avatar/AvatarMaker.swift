import CFFmpeg

/// Turns an uploaded picture into square JPEG avatars: the first picture of the file is
/// decoded with libavcodec, its centre square cropped, scaled with libswscale to each size and
/// encoded with libavcodec's MJPEG encoder.
public enum AvatarMaker {
    public static let sizes = [256, 64]
    /// Pictures larger than this are refused before decoding (a small PNG can claim 65535²).
    public static let maxPixels = 40_000_000

    /// Why a file gave no avatar; the daemon answers it as a 422 `bad-image` problem.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public let code = "bad-image"
        init(_ description: String) { self.description = description }
    }

    /// Writes `<folder>/<size>.jpg` for each size; returns the source picture's size.
    @discardableResult
    public static func make(path: String, folder: String, sizes: [Int] = sizes) throws(Failure) -> (width: Int, height: Int) {
        let detected: (format: UnsafePointer<AVInputFormat>, score: Int32)?
        do { detected = try InputFile.detectFormat(path: path) } catch { throw Failure("the file cannot be read: \(error.description)") }
        guard let detected else { throw Failure("the file is not an image FFmpeg can read") }
        let name = String(cString: detected.format.pointee.name)
        // Image demuxers only: a playlist or script format would make FFmpeg open other files.
        guard FormatPolicy.verdict(formatName: name) == .stillImage || ["gif", "apng"].contains(name) else {
            throw Failure("the file is not an image (FFmpeg reads it as \(name))")
        }
        let input: InputFile
        switch InputFile.open(path: path, format: detected.format) {
        case .success(let opened): input = opened
        case .failure: throw Failure("the image's header cannot be read")
        }
        guard let index = input.bestStream(AVMEDIA_TYPE_VIDEO), let stream = input.stream(index), let parameters = stream.pointee.codecpar else {
            throw Failure("the file holds no picture")
        }
        let width = Int(parameters.pointee.width), height = Int(parameters.pointee.height)
        guard width > 0, height > 0 else { throw Failure("the picture has no size") }
        guard width * height <= maxPixels else {
            throw Failure("the picture is \(width)x\(height); at most \(maxPixels / 1_000_000) megapixels are accepted")
        }
        let frame = try decodeFirstPicture(input, stream: stream, index: index)
        defer {
            var owned: UnsafeMutablePointer<AVFrame>? = frame
            av_frame_free(&owned)
        }
        cropToCentreSquare(frame)
        do {
            for size in sizes {
                let picture = try Picture(width: size, height: size)
                try picture.draw(frame)
                try picture.writeJPEG(to: "\(folder)/\(size).jpg", display: "\(size).jpg", scale: 3)
            }
        } catch {
            throw Failure(error.description)
        }
        return (width, height)
    }

    /// The first picture the decoder gives, read from at most a few dozen packets.
    static func decodeFirstPicture(
        _ input: InputFile, stream: UnsafeMutablePointer<AVStream>, index: Int
    ) throws(Failure) -> UnsafeMutablePointer<AVFrame> {
        guard let parameters = stream.pointee.codecpar, let codec = avcodec_find_decoder(parameters.pointee.codec_id) else {
            throw Failure("no decoder for this picture")
        }
        var context = avcodec_alloc_context3(codec)
        var packet = av_packet_alloc()
        defer {
            avcodec_free_context(&context)
            av_packet_free(&packet)
        }
        guard let context, let packet, let frame = av_frame_alloc() else { throw Failure("out of memory") }
        context.pointee.thread_count = 1
        guard avcodec_parameters_to_context(context, parameters) >= 0, avcodec_open2(context, codec, nil) >= 0 else {
            var owned: UnsafeMutablePointer<AVFrame>? = frame
            av_frame_free(&owned)
            throw Failure("the picture's decoder could not be opened")
        }
        var decoded = false
        for _ in 0..<64 where !decoded {
            if av_read_frame(input.context, packet) < 0 {
                _ = avcodec_send_packet(context, nil)
                decoded = avcodec_receive_frame(context, frame) >= 0
                break
            }
            if Int(packet.pointee.stream_index) == index, avcodec_send_packet(context, packet) >= 0 {
                decoded = avcodec_receive_frame(context, frame) >= 0
            }
            av_packet_unref(packet)
        }
        if !decoded {
            _ = avcodec_send_packet(context, nil)
            decoded = avcodec_receive_frame(context, frame) >= 0
        }
        guard decoded, frame.pointee.width > 0, frame.pointee.height > 0 else {
            var owned: UnsafeMutablePointer<AVFrame>? = frame
            av_frame_free(&owned)
            throw Failure("no picture could be decoded from the file")
        }
        return frame
    }

    /// Keeps the centre square: the longer side loses equal parts at both ends.
    static func cropToCentreSquare(_ frame: UnsafeMutablePointer<AVFrame>) {
        let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
        let side = min(width, height)
        frame.pointee.crop_left = (width - side) / 2
        frame.pointee.crop_right = (width - side) - (width - side) / 2
        frame.pointee.crop_top = (height - side) / 2
        frame.pointee.crop_bottom = (height - side) - (height - side) / 2
        _ = av_frame_apply_cropping(frame, Int32(AV_FRAME_CROP_UNALIGNED))
    }
}
