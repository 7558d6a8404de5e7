import CFFmpeg

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Validates an uploaded file with libavformat/libavcodec and describes it.
///
/// Safe to call from many threads at once: each call opens and frees its own contexts.
/// It blocks (file I/O and a short decode), so call it from a worker thread, not an event loop.
public enum MediaProbe {
    /// Probes the file at `path`: refuses what is not audio or video (with a reason), what breaks
    /// `limits`, and what is truncated; describes the rest. The best video and audio streams
    /// must decode their first frames.
    public static func probe(path: String, limits: ProbeLimits = .default) throws(MediaProbeError) -> MediaInfo {
        FFmpegLogging.install()
        let fileSize = try regularFileSize(path)
        guard fileSize > 0 else { throw .empty }

        guard let detected = try InputFile.detectFormat(path: path) else {
            throw .notMedia("FFmpeg recognises no audio or video format in it")
        }
        let detectedName = detected.format.pointee.name.map { String(cString: $0) } ?? "unknown"
        try refuse(format: detectedName)

        let input: InputFile
        switch InputFile.open(path: path, format: detected.format) {
        case .success(let opened):
            input = opened
        case .failure(.header(let code)):
            throw headerFailure(format: detectedName, score: detected.score, code: code)
        case .failure(.streamInfo(let code, let streamCount)):
            if streamCount == 0 { throw .notMedia("no streams (\(detectedName))") }
            throw .truncated("the stream parameters could not be read: \(FFmpegErrorText.phrase(code))")
        }

        let streams = (0..<input.streamCount).compactMap { input.stream($0) }.map(StreamDescriber.describe)
        guard !streams.isEmpty else { throw .notMedia("no streams (\(input.formatName))") }
        guard streams.count <= limits.maxStreams else {
            throw .tooManyStreams(count: streams.count, max: limits.maxStreams)
        }
        let videos = streams.filter(\.isVideo)
        let audios = streams.filter { $0.kind == .audio }
        guard !videos.isEmpty || !audios.isEmpty else {
            let kinds = Set(streams.map(\.kind.rawValue)).sorted().joined(separator: ", ")
            throw .notMedia("no audio or video stream (only \(kinds))")
        }

        let duration = input.duration ?? streams.compactMap(\.duration).max()
        if let duration, duration > limits.maxDuration {
            throw .tooLong(duration: duration, max: limits.maxDuration)
        }
        for video in videos {
            guard let width = video.width, let height = video.height else { continue }
            if !limits.fits(width: width, height: height) {
                throw .tooLarge(width: width, height: height, maxWidth: limits.maxWidth, maxHeight: limits.maxHeight)
            }
        }

        let bestVideo = best(of: videos, preferred: input.bestStream(AVMEDIA_TYPE_VIDEO))
        let bestAudio = best(of: audios, preferred: input.bestStream(AVMEDIA_TYPE_AUDIO))
        guard bestVideo != nil || bestAudio != nil else { throw .noDecodableStream }

        let indexEnd = input.indexEnd
        if indexEnd > fileSize {
            throw .truncated("the file has \(fileSize) bytes but its index refers to data up to byte \(indexEnd)")
        }

        let check = DecodeCheck.run(input: input, streams: [bestVideo, bestAudio].compactMap { $0 })
        for decoder in check.decoders {
            if let failure = check.failure(of: decoder) { throw .truncated(failure) }
        }
        let decoded = Set([bestVideo, bestAudio].compactMap { $0?.index })
        if let duration, let reached = TailCheck.shortfall(input: input, declared: duration, streams: decoded) {
            throw .truncated(
                "its data ends at \(MediaProbeError.clock(reached)) of the \(MediaProbeError.clock(duration)) its header declares"
            )
        }
        if let bestVideo, bestAudio == nil, FormatPolicy.imageCodecs.contains(bestVideo.codecName),
            let decoder = check.decoder(for: bestVideo.index), decoder.packets <= 1, check.reachedEnd
        {
            throw .stillImage("\(bestVideo.codecName) in \(input.formatName)")
        }

        return MediaInfo(
            container: input.formatName,
            containerLongName: input.formatLongName,
            duration: duration,
            bitRate: input.bitRate,
            fileSize: fileSize,
            streams: streams,
            bestVideoIndex: bestVideo?.index,
            bestAudioIndex: bestAudio?.index,
            hasDecodableVideo: (check.decoder(for: bestVideo?.index)?.frames ?? 0) > 0,
            hasDecodableAudio: (check.decoder(for: bestAudio?.index)?.frames ?? 0) > 0
        )
    }

    /// The file's size; refuses what is missing, unreadable or not a regular file.
    static func regularFileSize(_ path: String) throws(MediaProbeError) -> Int64 {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw .unreadable(String(cString: strerror(errno)).lowercased())
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw .unreadable(status.st_mode & S_IFMT == S_IFDIR ? "it is a directory" : "it is not a regular file")
        }
        guard access(path, R_OK) == 0 else {
            throw .unreadable(String(cString: strerror(errno)).lowercased())
        }
        return Int64(status.st_size)
    }

    static func refuse(format name: String) throws(MediaProbeError) {
        switch FormatPolicy.verdict(formatName: name) {
        case .accept:
            return
        case .stillImage:
            throw .stillImage(name)
        case .text:
            throw .notMedia("a text file (FFmpeg reads it as \(name))")
        case .reference:
            throw .notMedia("a playlist or reference file (\(name)) that points at other files, not media itself")
        }
    }

    /// avformat_open_input failed after a demuxer recognised the data: with a confident match
    /// the file is that format but broken; with a weak one it is probably not media at all.
    static func headerFailure(format: String, score: Int32, code: Int32) -> MediaProbeError {
        let reason = FFmpegErrorText.phrase(code)
        // Scores above AVPROBE_SCORE_EXTENSION (50) come from the content (an MP4 "ftyp", a
        // Matroska EBML header); at or below it, a file name or a weak guess.
        guard score > 50 else {
            return .notMedia("FFmpeg guessed \(format) but could not read it (\(reason))")
        }
        if format.split(separator: ",").contains("mov") {
            return .truncated(
                "the MP4/MOV header could not be read (\(reason)); usually its index (the moov atom) is missing because the upload stopped early"
            )
        }
        return .truncated("the \(format) header could not be read: \(reason)")
    }

    /// The stream to use among `candidates` that have a decoder: libavformat's choice when it is
    /// one of them, else the default-flagged one, else the first.
    static func best(of candidates: [MediaStreamInfo], preferred: Int?) -> MediaStreamInfo? {
        let decodable = candidates.filter(\.hasDecoder)
        if let preferred, let match = decodable.first(where: { $0.index == preferred }) { return match }
        return decodable.first(where: \.isDefault) ?? decodable.first
    }
}
