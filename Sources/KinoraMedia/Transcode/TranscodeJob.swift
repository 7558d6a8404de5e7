import CFFmpeg
import Foundation

/// One running transcode: the input, its decoders and filter graphs, the rung workers and
/// the audio encoder. Everything FFmpeg is owned by the objects here and freed with them.
final class TranscodeJob {
    private let input: InputFile
    private let info: MediaInfo
    private let options: TranscodeOptions
    private let cancellation: TranscodeCancellation?
    private let progress: @Sendable (TranscodeProgress) -> Void
    /// The renditions' first whole segments, each time every rendition has one more
    /// (`TranscodeOptions.progressive`).
    private let published: @Sendable ([Rendition]) -> Void
    private var board: SegmentBoard?
    private let stop = SharedFailure()
    private let duration: Double

    private var video: (decoder: MediaDecoder, graph: FilterGraph, frameRate: AVRational)?
    private var rungs: [VideoRungEncoder] = []
    /// Every kept source audio stream, decoded once, with its stereo (and 5.1) encoders.
    private var audio: [AudioTrack] = []
    /// The top rung copied from the source, and audio copied in remux-only mode.
    private var passthrough: PassthroughRung?
    private var passthroughRefusal: String?
    private var audioCopy: AudioPassthrough?
    private var encoderChoice: EncoderChoice?
    private var thumbnails: ThumbnailSink?
    private var scratch: UnsafeMutablePointer<AVFrame>?
    private var outputFrames: Int64 = 0
    /// Where the last decoded video frame ends (stream time base), for the graph's end.
    private var videoEnd: Int64?
    private var reported = -1.0

    /// Frames each rung may lag behind the decoder.
    static let queueCapacity = 8

    init(
        path: String, folder: String, info: MediaInfo, options: TranscodeOptions, cancellation: TranscodeCancellation?,
        progress: @escaping @Sendable (TranscodeProgress) -> Void,
        published: @escaping @Sendable ([Rendition]) -> Void = { _ in },
        creating: (String) -> Void
    ) throws(TranscodeError) {
        self.info = info
        self.options = options
        self.cancellation = cancellation
        self.progress = progress
        self.published = published
        duration = info.duration ?? 0
        scratch = av_frame_alloc()
        guard let detected = try? InputFile.detectFormat(path: path) else { throw .unreadable("the format is not recognised") }
        switch InputFile.open(path: path, format: detected.format, streamInfo: !options.remuxOnly) {
        case .success(let opened): input = opened
        case .failure(.header(let code)), .failure(.streamInfo(let code, _)): throw .unreadable(FFmpegErrorText.phrase(code))
        }
        let grid: SegmentGrid
        if options.remuxOnly {
            (grid, passthrough, audioCopy) = try RemuxOnly.prepare(
                path: path, input: input, info: info, options: options, folder: folder,
                cancellation: cancellation, creating: creating)
        } else if let stream = info.bestVideo, info.hasDecodableVideo, let avStream = input.stream(stream.index) {
            let choice = try EncoderChoice.choose(options.encoder)
            encoderChoice = choice
            let decoder = try MediaDecoder(stream: avStream, index: stream.index)
            guard let context = decoder.context else { throw .unreadable("no video decoder") }
            let frameRate = Self.outputFrameRate(stream, cap: options.maxFrameRate)
            let graph = try FilterGraph.video(
                decoder: context, timeBase: avStream.pointee.time_base, rotation: stream.rotation,
                deinterlace: stream.isInterlaced, frameRate: frameRate)
            video = (decoder, graph, frameRate)
            grid = SegmentGrid(
                seconds: options.segmentSeconds, keyframeSeconds: options.effectiveKeyframeSeconds, frameRateNumerator: Int64(frameRate.num),
                frameRateDenominator: Int64(frameRate.den), totalSeconds: info.duration)
            let size = Self.displaySize(stream, context: context)
            let ladder = options.ladder(sourceWidth: size.width, sourceHeight: size.height)
            if options.thumbnails {
                creating(ThumbnailSink.folderName)
                thumbnails = try ThumbnailSink(
                    folder: folder + "/" + ThumbnailSink.folderName, duration: duration,
                    width: size.width, height: size.height)
            }
            (passthrough, passthroughRefusal) = try PassthroughRung.prepare(
                path: path, input: input, stream: stream, size: size, ladder: ladder, options: options, grid: grid,
                frameRate: frameRate, folder: folder, cancellation: cancellation, creating: creating)
            for rung in ladder.rungs where rung.id != passthrough?.plan.rung.id {
                creating(rung.id)
                rungs.append(
                    try VideoRungEncoder(
                        rung: rung, encoderName: choice.name, preset: options.preset, frameRate: frameRate,
                        grid: grid, folder: folder + "/" + rung.id, stop: stop,
                        queueCapacity: Self.queueCapacity))
            }
        } else {
            grid = SegmentGrid(seconds: options.segmentSeconds, totalSeconds: info.duration)
        }
        // Nothing left to make from pictures: the copy needs packets only.
        if passthrough != nil, rungs.isEmpty, thumbnails == nil { video = nil }
        if audioCopy == nil {
            audio = try AudioTrack.prepare(input: input, info: info, options: options, grid: grid, folder: folder, creating: creating)
        }
        guard video != nil || !audio.isEmpty || passthrough != nil || audioCopy != nil else { throw .noStreams }
        guard scratch != nil else { throw .filterFailed("out of memory") }
        if options.progressive { reportSegments() }
    }

    /// Every writer reports to one board, which hands the renditions' common first segments
    /// to `published` as they complete.
    private func reportSegments() {
        let board = SegmentBoard { [unowned self] count in
            published(result().renditions.map { Self.prefix($0, count) })
        }
        for rung in rungs { rung.report(to: board) }
        passthrough?.report(to: board)
        audioCopy?.report(to: board)
        for track in audio {
            for output in track.outputs { output.encoder.report(to: board) }
        }
        self.board = board
    }

    deinit {
        av_frame_free(&scratch)
    }

    func run() throws(TranscodeError) -> TranscodeResult {
        var finished: [DispatchSemaphore] = []
        for rung in rungs {
            let done = DispatchSemaphore(value: 0)
            let thread = Thread {
                rung.run()
                done.signal()
            }
            thread.name = "kinora-encode-\(rung.rung.id)"
            thread.stackSize = 8 << 20
            thread.start()
            finished.append(done)
        }
        // Every path joins the workers before the job (and its FFmpeg objects) goes away.
        var joined = false
        func join() {
            guard !joined else { return }
            joined = true
            for rung in rungs { rung.queue.close() }
            for done in finished { done.wait() }
        }
        defer { join() }

        do {
            try readAll()
        } catch {
            stop.set(error)
            join()
            throw error
        }
        progress(TranscodeProgress(fraction: 1, step: "finishing"))
        try flush()
        let pictures = try thumbnails?.finish(videoEnd: seconds(ofFrame: outputFrames))
        join()
        if let failure = rungs.compactMap(\.failure).first ?? stop.error { throw failure }
        var result = result()
        result.thumbnails = pictures
        return result
    }

    private func readAll() throws(TranscodeError) {
        var packet = av_packet_alloc()
        defer { av_packet_free(&packet) }
        guard let packet else { throw .decodeFailed(": out of memory") }
        progress(TranscodeProgress(fraction: 0, step: "encoding"))
        while true {
            if cancellation?.isCancelled == true { throw .cancelled }
            if let failure = stop.error { throw failure }
            let read = av_read_frame(input.context, packet)
            if read == kn_averror_eagain() { continue }
            if read == kn_averror_eof() { break }
            if read < 0 {
                // A damaged tail ends the input, as the ffmpeg tool treats it; a file with
                // nothing decoded at all is a failure.
                if (video?.decoder.frames ?? 0) + audio.reduce(0, { $0 + $1.decoder.frames }) == 0 {
                    throw .decodeFailed(": \(FFmpegErrorText.phrase(read))")
                }
                break
            }
            defer { av_packet_unref(packet) }
            let index = Int(packet.pointee.stream_index)
            if let passthrough, index == passthrough.streamIndex {
                if video == nil { noteProgress(packet, timeBase: passthrough.plan.timeBase) }
                try passthrough.write(packet)
            } else if let audioCopy, index == audioCopy.streamIndex {
                try audioCopy.write(packet)
            }
            if let video, index == video.decoder.streamIndex {
                noteProgress(packet, timeBase: video.decoder.timeBase)
                try video.decoder.decode(packet) { frame throws(TranscodeError) in try pushVideo(frame) }
            } else if let track = audio.first(where: { $0.decoder.streamIndex == index }), let scratch {
                if video == nil, track === audio.first { noteProgress(packet, timeBase: track.decoder.timeBase) }
                try track.decoder.decode(packet) { frame throws(TranscodeError) in try track.push(frame, scratch: scratch) }
            }
        }
        try passthrough?.finish()
        try audioCopy?.finish()
    }

    private func flush() throws(TranscodeError) {
        if let video {
            try video.decoder.decode(nil) { frame throws(TranscodeError) in try pushVideo(frame) }
            if let videoEnd { try video.graph.close(at: videoEnd) } else { try video.graph.push(nil) }
            try drainVideo()
            if outputFrames == 0 { throw .decodeFailed(": no video frame could be decoded") }
        }
        if let scratch {
            for track in audio { try track.finish(scratch: scratch) }
        }
    }

    private func pushVideo(_ frame: UnsafeMutablePointer<AVFrame>) throws(TranscodeError) {
        guard let video else { return }
        if frame.pointee.pts != kn_nopts() {
            var length = frame.pointee.pkt_duration
            if length <= 0 {
                // One frame at the output rate, in the stream's time base.
                length = av_rescale_q(1, AVRational(num: video.frameRate.den, den: video.frameRate.num), video.decoder.timeBase)
            }
            videoEnd = max(videoEnd ?? .min, frame.pointee.pts + max(1, length))
        }
        try video.graph.push(frame)
        try drainVideo()
    }

    /// Hands every frame the graph has ready to every rung (a shared reference each).
    private func drainVideo() throws(TranscodeError) {
        guard let video, let scratch else { return }
        while try video.graph.pull(into: scratch) == .frame {
            defer { av_frame_unref(scratch) }
            try thumbnails?.offer(scratch, time: seconds(ofFrame: outputFrames))
            for rung in rungs {
                guard let reference = FrameReference(cloning: scratch, index: outputFrames) else {
                    throw .filterFailed("out of memory")
                }
                rung.queue.push(reference)
            }
            outputFrames += 1
        }
    }

    /// Where output frame `index` starts, in seconds (the graph makes the rate constant).
    private func seconds(ofFrame index: Int64) -> Double {
        guard let rate = video?.frameRate, rate.num > 0 else { return 0 }
        return Double(index) * Double(rate.den) / Double(rate.num)
    }

    private func noteProgress(_ packet: UnsafeMutablePointer<AVPacket>, timeBase: AVRational) {
        guard duration > 0, packet.pointee.pts != kn_nopts() else { return }
        let fraction = min(1, max(0, Double(packet.pointee.pts) * av_q2d(timeBase) / duration))
        guard fraction >= reported + 0.01 else { return }
        reported = fraction
        progress(TranscodeProgress(fraction: fraction, step: "encoding"))
    }

    private func result() -> TranscodeResult {
        var renditions: [Rendition] = []
        for rung in rungs {
            let rate = Double(rung.frameRate.num) / Double(rung.frameRate.den)
            renditions.append(
                Self.rendition(
                    id: rung.rung.id, type: .video, codecs: rung.codecString,
                    timescale: rung.timescale, segments: rung.segments,
                    width: rung.rung.width, height: rung.rung.height,
                    frameRate: (rate * 1000).rounded() / 1000))
        }
        if let passthrough {
            // Lowest first, as the packagers list them.
            let copied = passthrough.rendition()
            renditions.insert(
                copied,
                at: renditions.firstIndex { ($0.width ?? 0) * ($0.height ?? 0) > (copied.width ?? 0) * (copied.height ?? 0) } ?? renditions.count)
        }
        if let audioCopy { renditions.append(audioCopy.rendition()) }
        renditions += AudioTrack.renditions(audio)
        let encoder = encoderChoice == nil && passthrough != nil ? TranscodeResult.copied : encoderChoice?.name ?? EncoderChoice.software
        return TranscodeResult(
            renditions: renditions, encoder: encoder,
            fallback: encoderChoice?.fallbackReason, passthroughRefusal: passthroughRefusal)
    }

    static func rendition(
        id: String, type: Rendition.Kind, codecs: String, timescale: Int64, segments: [Rendition.Segment],
        width: Int? = nil, height: Int? = nil, frameRate: Double? = nil
    ) -> Rendition {
        let peak = PeakBitRate.apple(segments, timescale: timescale)
        let average = PeakBitRate.rate(segments.reduce(0) { $0 + $1.size }, segments.reduce(0) { $0 + $1.duration }, timescale: timescale)
        return Rendition(
            id: id, type: type, codecs: codecs, bandwidth: peak, averageBandwidth: average,
            width: width, height: height, frameRate: frameRate, channels: nil, sampleRate: nil,
            timescale: timescale, init: "\(id)/init.mp4", segments: segments)
    }

    /// `rendition` with only its first `count` segments, its bandwidths those of that part.
    static func prefix(_ rendition: Rendition, _ count: Int) -> Rendition {
        guard rendition.segments.count > count else { return rendition }
        var part = rendition
        part.segments = Array(rendition.segments.prefix(count))
        part.bandwidth = PeakBitRate.apple(part.segments, timescale: part.timescale)
        part.averageBandwidth = PeakBitRate.rate(
            part.segments.reduce(0) { $0 + $1.size }, part.segments.reduce(0) { $0 + $1.duration }, timescale: part.timescale)
        return part
    }

    /// The source's average frame rate (snapped to a standard rate when within 0.5 %),
    /// capped at `cap`; 30 when unknown.
    static func outputFrameRate(_ stream: MediaStreamInfo, cap: Int) -> AVRational {
        let standard: [(Int32, Int32)] = [(24000, 1001), (24, 1), (25, 1), (30000, 1001), (30, 1), (48, 1), (50, 1), (60000, 1001), (60, 1)]
        guard let value = stream.averageFrameRate?.value ?? stream.realFrameRate?.value, value.isFinite, value > 0 else {
            return AVRational(num: Int32(min(30, max(1, cap))), den: 1)
        }
        if value >= Double(cap) { return AVRational(num: Int32(max(1, cap)), den: 1) }
        if let average = stream.averageFrameRate, standard.contains(where: { Int($0.0) == average.numerator && Int($0.1) == average.denominator }) {
            return AVRational(num: Int32(average.numerator), den: Int32(average.denominator))
        }
        let nearest = standard.min { abs(Double($0.0) / Double($0.1) - value) < abs(Double($1.0) / Double($1.1) - value) }
        if let snap = nearest, abs(Double(snap.0) / Double(snap.1) - value) / value < 0.005 {
            return AVRational(num: snap.0, den: snap.1)
        }
        return AVRational(num: Int32(max(1, value.rounded())), den: 1)
    }

    /// The picture as displayed: pixel aspect applied, then the rotation.
    static func displaySize(_ stream: MediaStreamInfo, context: UnsafeMutablePointer<AVCodecContext>) -> (width: Int, height: Int) {
        var width = Double(stream.width ?? Int(context.pointee.width))
        let height = Double(stream.height ?? Int(context.pointee.height))
        if let sar = stream.sampleAspectRatio?.value, sar > 0, abs(sar - 1) > 0.001 { width *= sar }
        let w = Int(width.rounded()), h = Int(height.rounded())
        return stream.isRotatedSideways ? (h, w) : (w, h)
    }
}
