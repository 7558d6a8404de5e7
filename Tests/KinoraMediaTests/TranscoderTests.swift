import Foundation
import KinoraMedia
import Testing

/// The transcoder on real media made with the ffmpeg CLI, checked with ffprobe/ffmpeg.
@Suite("Transcoder")
struct TranscoderTests {
    // MARK: Ladder rules (no media)

    @Test("ladder: capped at the source's short side, even sizes, portrait stays portrait")
    func ladderRules() {
        let landscape = Ladder.make(sourceWidth: 1920, sourceHeight: 1080)
        #expect(landscape.rungs.map(\.id) == ["240p", "360p", "480p", "720p", "1080p"])
        #expect(landscape.rungs.map { "\($0.width)x\($0.height)" } == ["426x240", "640x360", "854x480", "1280x720", "1920x1080"])
        let portrait = Ladder.make(sourceWidth: 1080, sourceHeight: 1920)
        #expect(portrait.rungs.last.map { "\($0.id) \($0.width)x\($0.height)" } == "1080p 1080x1920")
        let tiny = Ladder.make(sourceWidth: 177, sourceHeight: 99)
        #expect(tiny.rungs.map { "\($0.id) \($0.width)x\($0.height)" } == ["98p 176x98"])
        let odd = Ladder.make(sourceWidth: 321, sourceHeight: 241)
        #expect(odd.rungs.map { "\($0.width)x\($0.height)" } == ["320x240"])
        #expect(Ladder.make(sourceWidth: 3840, sourceHeight: 2160).rungs.map(\.bitRate).last == 16_000_000)
        var options = TranscodeOptions(onlyShortSides: [240, 720])
        #expect(options.ladder(sourceWidth: 1280, sourceHeight: 720).rungs.map(\.id) == ["240p", "720p"])
        options.firstPassOnly = true
        #expect(options.ladder(sourceWidth: 1280, sourceHeight: 720).rungs.map(\.id) == ["240p"])
    }

    // MARK: The full ladder

    @Test("10 s 720p30 with audio: 240p–720p, aligned key-frame segments, true codec strings, decodable")
    func ladder720() throws {
        let media = try TestMedia()
        let source = media.path("source.mp4")
        try media.ffmpeg([
            "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=10",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=10",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", source,
        ])
        let output = media.path("out")
        let progress = ProgressLog()
        let result = try Transcoder.transcode(input: source, output: output, options: TranscodeOptions()) { progress.add($0) }

        #expect(result.encoder == "libx264" && result.fallback == nil)
        #expect(result.renditions.map(\.id) == ["240p", "360p", "480p", "720p", "audio"])
        let videos = result.renditions.filter { $0.type == .video }
        #expect(videos.map { "\($0.width ?? 0)x\($0.height ?? 0)" } == ["426x240", "640x360", "854x480", "1280x720"])
        #expect(videos.allSatisfy { $0.frameRate == 30 })

        // Aligned: the same segment count everywhere, the same start times on every video rung,
        // audio cut at the same times (within one AAC frame).
        let reference = try #require(videos.first)
        #expect(reference.segments.count == 3)
        for rendition in result.renditions {
            #expect(rendition.segments.count == reference.segments.count, "\(rendition.id)")
            #expect(abs(rendition.duration - 10) < 0.05, "\(rendition.id): \(rendition.duration) s")
            #expect(rendition.bandwidth >= rendition.averageBandwidth && rendition.averageBandwidth > 0)
            #expect(rendition.`init` == "\(rendition.id)/init.mp4")
            for (index, segment) in rendition.segments.enumerated() {
                #expect(segment.uri == String(format: "%@/seg-%05d.m4s", rendition.id, index + 1))
                let seconds = Double(segment.start) / Double(rendition.timescale)
                let expected = Double(reference.segments[index].start) / Double(reference.timescale)
                #expect(abs(seconds - expected) < (rendition.type == .audio ? 0.025 : 0.0001), "\(rendition.id) segment \(index + 1)")
                #expect(abs(seconds - Double(index) * 4) < 0.025)
            }
        }
        let audio = try #require(result.renditions.last)
        #expect(audio.codecs == "mp4a.40.2" && audio.channels == 2 && audio.sampleRate == 48000 && audio.timescale == 48000)

        for rendition in result.renditions {
            let folder = output + "/" + rendition.id
            let initBytes = try Data(contentsOf: URL(fileURLWithPath: output + "/" + rendition.`init`))
            var whole = initBytes
            for segment in rendition.segments {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: output + "/" + segment.uri))
                #expect(Int64(bytes.count) == segment.size)
                whole += bytes
                // Every segment starts with a key frame; `iframe` ends with that frame.
                let probe = media.path("probe.mp4")
                try (initBytes + bytes).write(to: URL(fileURLWithPath: probe))
                let packet = try keyValues(
                    TestMedia.run(
                        tool: "ffprobe",
                        [
                            "-v", "error", "-select_streams", "0", "-read_intervals", "%+#1",
                            "-show_entries", "packet=pos,size,flags", "-of", "default=nw=1", probe,
                        ]))
                #expect(packet["flags"]?.hasPrefix("K") == true, "\(segment.uri): \(packet)")
                if rendition.type == .video, let pos = Int64(packet["pos"] ?? ""), let size = Int64(packet["size"] ?? "") {
                    #expect(segment.iframe?.size == pos - Int64(initBytes.count) + size, "\(segment.uri)")
                    #expect(segment.iframe?.offset == 0)
                }
            }
            let joined = folder + "/all.mp4"
            try whole.write(to: URL(fileURLWithPath: joined))
            let stream = try #require(media.ffprobeStreams(joined).first)
            if rendition.type == .video {
                // avc1.PPCCLL: High = 0x64, level_idc as ffprobe reports it; no rotation left.
                let level = try #require(stream["level"] as? Int)
                #expect(stream["profile"] as? String == "High")
                #expect(rendition.codecs == "avc1.6400" + String(format: "%02x", level), "\(rendition.id)")
                #expect(stream["width"] as? Int == rendition.width && stream["height"] as? Int == rendition.height)
                #expect(stream["pix_fmt"] as? String == "yuv420p")
                let keyFrames = try TestMedia.run(
                    tool: "ffprobe",
                    [
                        "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=flags",
                        "-of", "csv=p=0", joined,
                    ]
                ).split(separator: "\n").filter { $0.hasPrefix("K") }
                // IDR frames every 2 s (so at every 4 s segment start) and nowhere else: 0, 2, 4, 6, 8.
                #expect(keyFrames.count == 5, "\(rendition.id): key frames every 2 s")
            } else {
                #expect(stream["codec_name"] as? String == "aac" && stream["profile"] as? String == "LC")
            }
            let errors = try TestMedia.run(tool: "ffmpeg", ["-nostdin", "-v", "error", "-i", joined, "-f", "null", "-"])
            #expect(errors.isEmpty)
        }
        #expect(progress.values.last == TranscodeProgress(fraction: 1, step: "done"))
        #expect(progress.values.contains { $0.step == "encoding" && $0.fraction > 0.3 && $0.fraction < 0.9 })
    }

    // MARK: Geometry

    @Test("portrait 360x640: the top rung 360p is 360x640")
    func portrait() throws {
        let media = try TestMedia()
        let source = try media.video("portrait.mp4", size: "360x640", seconds: 2, audio: false)
        let result = try quick(source, media)
        #expect(result.renditions.map { "\($0.id) \($0.width ?? 0)x\($0.height ?? 0)" } == ["240p 240x426", "360p 360x640"])
        try expectSize(media, result, "360p", "360x640")
    }

    @Test("odd 321x241: even dimensions")
    func oddSize() throws {
        let media = try TestMedia()
        let source = try media.video(
            "odd.mkv", size: "321x241", seconds: 2, audio: false,
            videoOptions: ["-pix_fmt", "yuv444p"], outputOptions: [])
        let result = try quick(source, media)
        #expect(result.renditions.map { "\($0.id) \($0.width ?? 0)x\($0.height ?? 0)" } == ["240p 320x240"])
        try expectSize(media, result, "240p", "320x240")
    }

    @Test("a source smaller than the lowest rung: one rung at its own (even) size")
    func tiny() throws {
        let media = try TestMedia()
        let source = try media.video("tiny.mp4", size: "160x90", seconds: 1, audio: true)
        let result = try quick(source, media)
        #expect(result.renditions.map { "\($0.id) \($0.width ?? 0)x\($0.height ?? 0)" } == ["90p 160x90", "audio 0x0"])
    }

    @Test("rotation metadata: the pixels are turned upright, no rotation left")
    func rotated() throws {
        let media = try TestMedia()
        let plain = try media.video("plain.mp4", size: "320x240", seconds: 2, audio: false)
        // FFmpeg 5.1 writes a display matrix for "rotate" only when stream copying.
        let source = media.path("rotated.mp4")
        try media.ffmpeg(["-i", plain, "-c", "copy", "-metadata:s:v", "rotate=90", source])
        let result = try quick(source, media)
        #expect(result.renditions.map { "\($0.id) \($0.width ?? 0)x\($0.height ?? 0)" } == ["240p 240x320"])
        try expectSize(media, result, "240p", "240x320")
        let joined = try concatenate(media, result, "240p")
        let sideData = try TestMedia.run(tool: "ffprobe", ["-v", "error", "-show_entries", "stream_side_data", "-of", "json", joined])
        #expect(!sideData.contains("rotation"))
    }

    // MARK: Streams

    @Test("audio-only input: only the audio rendition, 48 kHz stereo")
    func audioOnly() throws {
        let media = try TestMedia()
        let source = media.path("tone.m4a")
        try media.ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=5", "-ac", "1", "-c:a", "aac", source])
        let result = try quick(source, media)
        #expect(result.renditions.map(\.id) == ["audio"])
        let audio = try #require(result.renditions.first)
        #expect(audio.segments.count == 5 && abs(audio.duration - 5) < 0.05)
        let stream = try #require(media.ffprobeStreams(concatenate(media, result, "audio")).first)
        #expect(stream["sample_rate"] as? String == "48000" && stream["channels"] as? Int == 2)
    }

    @Test("video-only input: no audio rendition")
    func videoOnly() throws {
        let media = try TestMedia()
        let source = try media.video("silent.mp4", size: "426x240", seconds: 2, audio: false)
        let result = try quick(source, media)
        #expect(result.renditions.map(\.id) == ["240p"])
    }

    @Test("frame rate: 25 fps kept, 120 fps capped at 60, interlaced input deinterlaced")
    func frameRates() throws {
        let media = try TestMedia()
        let pal = try media.video("pal.mp4", size: "320x240", seconds: 2, audio: false)
        #expect(try quick(pal, media).renditions.first?.frameRate == 25)
        let fast = media.path("fast.mp4")
        try media.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=120:duration=2", "-c:v", "libx264", "-preset", "ultrafast", fast])
        let capped = try quick(fast, media, folder: "fast")
        #expect(capped.renditions.first?.frameRate == 60)
        let frames = try TestMedia.run(
            tool: "ffprobe",
            [
                "-v", "error", "-count_packets", "-show_entries", "stream=nb_read_packets",
                "-of", "csv=p=0", concatenate(media, capped, "240p", folder: "fast"),
            ])
        #expect(frames.trimmingCharacters(in: .whitespacesAndNewlines) == "120")
        let interlaced = media.path("interlaced.mkv")
        try media.ffmpeg([
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2", "-c:v", "libx264", "-preset", "ultrafast",
            "-flags", "+ildct+ilme", "-x264-params", "tff=1", "-field_order", "tt", interlaced,
        ])
        let deinterlaced = try quick(interlaced, media, folder: "interlaced")
        #expect(deinterlaced.renditions.first?.frameRate == 25)
        #expect(abs((deinterlaced.renditions.first?.duration ?? 0) - 2) < 0.05)
    }

    // MARK: Encoders and errors

    @Test("encoder fallback: h264_nvenc cannot be opened here, libx264 is used with a reason")
    func encoderFallback() throws {
        let choice = try EncoderChoice.choose("h264_nvenc")
        #expect(choice.name == "libx264" && choice.isFallback)
        #expect(choice.fallbackReason?.contains("h264_nvenc") == true)
        let unknown = try EncoderChoice.choose("no_such_encoder")
        #expect(unknown.name == "libx264" && unknown.fallbackReason?.contains("not in this FFmpeg build") == true)
        #expect(try EncoderChoice.choose("libx264").fallbackReason == nil)

        let media = try TestMedia()
        let source = try media.video("clip.mp4", size: "320x240", seconds: 1, audio: false)
        let result = try Transcoder.transcode(
            input: source, output: media.path("out"),
            options: TranscodeOptions(preset: "ultrafast", encoder: "h264_nvenc"))
        #expect(result.encoder == "libx264" && result.fallback?.contains("h264_nvenc") == true)
    }

    @Test("not media: a readable error, nothing written; cancellation stops and cleans up")
    func failures() throws {
        let media = try TestMedia()
        let text = try media.write("hello, world\n", name: "notes.txt")
        #expect(throws: TranscodeError.self) { try Transcoder.transcode(input: text, output: media.path("out")) }
        do {
            _ = try Transcoder.transcode(input: text, output: media.path("out"))
        } catch {
            #expect(error.code == "unreadable" && error.description.contains("cannot be transcoded"))
        }
        let source = try media.video("clip.mp4", size: "320x240", seconds: 2, audio: true)
        let cancellation = TranscodeCancellation()
        cancellation.cancel()
        #expect(throws: TranscodeError.cancelled) {
            try Transcoder.transcode(input: source, output: media.path("cancelled"), cancellation: cancellation)
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: media.path("cancelled"))
        #expect(left.isEmpty)
        #expect(throws: TranscodeError.self) {
            try Transcoder.transcode(input: source, output: media.path("bad"), options: TranscodeOptions(segmentSeconds: 0))
        }
    }

    // MARK: Helpers

    func quick(_ source: String, _ media: TestMedia, folder: String = "out") throws -> TranscodeResult {
        try Transcoder.transcode(input: source, output: media.path(folder), options: TranscodeOptions(segmentSeconds: 1, preset: "superfast"))
    }

    /// init + every segment of one rendition as one file.
    func concatenate(_ media: TestMedia, _ result: TranscodeResult, _ id: String, folder: String = "out") throws -> String {
        let rendition = try #require(result.renditions.first { $0.id == id })
        var data = try Data(contentsOf: URL(fileURLWithPath: media.path(folder) + "/" + rendition.`init`))
        for segment in rendition.segments {
            data += try Data(contentsOf: URL(fileURLWithPath: media.path(folder) + "/" + segment.uri))
        }
        let path = media.path("\(folder)-\(id).mp4")
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    func expectSize(_ media: TestMedia, _ result: TranscodeResult, _ id: String, _ size: String) throws {
        let stream = try #require(media.ffprobeStreams(concatenate(media, result, id)).first)
        #expect("\(stream["width"] as? Int ?? 0)x\(stream["height"] as? Int ?? 0)" == size)
        let errors = try TestMedia.run(tool: "ffmpeg", ["-nostdin", "-v", "error", "-i", concatenate(media, result, id), "-f", "null", "-"])
        #expect(errors.isEmpty)
    }

    func keyValues(_ output: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            values[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return values
    }
}

/// Progress reports, collected from the transcoder's thread.
final class ProgressLog: @unchecked Sendable {
    // @unchecked: `values` is only accessed under `lock`.
    private let lock = NSLock()
    private var stored: [TranscodeProgress] = []

    func add(_ value: TranscodeProgress) {
        lock.lock()
        stored.append(value)
        lock.unlock()
    }

    var values: [TranscodeProgress] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
