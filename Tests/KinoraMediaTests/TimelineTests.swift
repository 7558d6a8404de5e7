import Foundation
import KinoraMedia
import Testing

/// The shared timeline: lip sync measured on our output as ffmpeg decodes it, audio segments
/// on the video boundaries, IDR frames every 2 s, and Apple's peak bit rate.
@Suite("Timeline")
struct TimelineTests {
    /// A white frame and a 1 kHz beep at the same instant, at 0.6 s and every second after,
    /// on black and silence; AAC at 44.1 kHz as phones record it (its own priming trimmed by
    /// the source's edit list, so the source itself is in sync).
    static func flashAndBeep(_ media: TestMedia, rate: Int, seconds: Int = 6) throws -> String {
        let source = media.path("flash-\(rate).mp4")
        try media.ffmpeg([
            "-f", "lavfi", "-i",
            "color=c=black:s=320x240:r=\(rate):d=\(seconds),geq=lum='if(between(mod(T\\,1)\\,0.6-0.1/\(rate)\\,0.6+0.5/\(rate))\\,235\\,16)':cb=128:cr=128",
            "-f", "lavfi", "-i", "aevalsrc='if(between(mod(t\\,1)\\,0.6\\,0.65)\\,0.8*sin(2*PI*1000*t)\\,0)':s=44100:d=\(seconds)",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", source,
        ])
        return source
    }

    /// The pts (s) of each decoded frame brighter than mid-grey that follows a dark one, as
    /// ffmpeg decodes `path` (timestamps as stored: -copyts).
    static func flashes(_ path: String) throws -> [Double] {
        let printed = try TestMedia.run(
            tool: "ffmpeg",
            [
                "-nostdin", "-v", "error", "-copyts", "-i", path, "-map", "0:v:0",
                "-vf", "signalstats,metadata=mode=print:key=lavfi.signalstats.YAVG:file=-", "-f", "null", "-",
            ])
        var times: [Double] = []
        var time: Double?
        var wasBright = false
        for line in printed.split(separator: "\n") {
            if let range = line.range(of: "pts_time:") {
                time = Double(line[range.upperBound...].split(separator: " ").first ?? "")
            } else if line.hasPrefix("lavfi.signalstats.YAVG="), let value = Double(line.dropFirst("lavfi.signalstats.YAVG=".count)) {
                let bright = value > 128
                if bright, !wasBright, let time { times.append(time) }
                wasBright = bright
            }
        }
        return times
    }

    /// The instant (s, sample-exact) each beep starts, as ffmpeg decodes `path`: silencedetect's
    /// ends of silence.
    static func beeps(_ path: String) throws -> [Double] {
        let printed = try TestMedia.run(
            tool: "ffmpeg",
            [
                "-nostdin", "-v", "error", "-copyts", "-i", path, "-map", "0:a:0",
                "-af", "silencedetect=n=-30dB:d=0.2,ametadata=mode=print:key=lavfi.silence_end:file=-", "-f", "null", "-",
            ])
        return printed.split(separator: "\n").compactMap { line in
            line.hasPrefix("lavfi.silence_end=") ? Double(line.dropFirst("lavfi.silence_end=".count)) : nil
        }
    }

    /// The A/V offsets (audio minus video, seconds) of every flash-and-beep pair in our output.
    static func offsets(_ media: TestMedia, _ result: TranscodeResult, video: String, audio: String, folder: String) throws -> [Double] {
        let pictures = try flashes(concatenate(media, result, video, folder: folder))
        let sounds = try beeps(concatenate(media, result, audio, folder: folder))
        try #require(pictures.count >= 5 && pictures.count == sounds.count, "flashes \(pictures), beeps \(sounds)")
        return zip(pictures, sounds).map { $1 - $0 }
    }

    @Test("lip sync: the flash and its beep decode within 10 ms of each other and of the source's instant", arguments: [30, 25])
    func lipSync(rate: Int) throws {
        let media = try TestMedia()
        let source = try Self.flashAndBeep(media, rate: rate)
        // The source as ffmpeg plays it: the reference (in sync within a sample or two).
        let reference = zip(try Self.flashes(source), try Self.beeps(source)).map { $1 - $0 }
        #expect(reference.allSatisfy { abs($0) < 0.002 }, "source offsets \(reference)")

        let result = try Transcoder.transcode(
            input: source, output: media.path("out"), options: TranscodeOptions(preset: "superfast", onlyShortSides: [240]))
        let offsets = try Self.offsets(media, result, video: "240p", audio: "audio", folder: "out")
        #expect(offsets.allSatisfy { abs($0) < 0.010 }, "A/V offsets at \(rate) fps: \(offsets)")
        // Both tracks start at 0: the first flash and the first beep at 0.6 s, as in the source.
        let firstFlash = try #require(try Self.flashes(concatenate(media, result, "240p", folder: "out")).first)
        let firstBeep = try #require(try Self.beeps(concatenate(media, result, "audio", folder: "out")).first)
        #expect(abs(firstFlash - 0.6) < 0.5 / Double(rate) && abs(firstBeep - 0.6) < 0.002, "flash \(firstFlash), beep \(firstBeep)")

        // The B-frame delay is trimmed by the video's edit list; the audio has nothing to trim
        // (players that ignore edit lists, such as Chromium's native HLS, start it right too).
        let videoInit = try Data(contentsOf: URL(fileURLWithPath: media.path("out") + "/240p/init.mp4"))
        #expect(videoInit.range(of: Data("elst".utf8)) != nil, "240p/init.mp4 has an edit list")
        try Self.expectAudioStartsAtZero(media, result, folder: "out")
    }

    /// The audio rendition `id` has no AAC priming: no edit list, and its first packet, as
    /// stored, is at 0 and begins the index's first segment.
    static func expectAudioStartsAtZero(_ media: TestMedia, _ result: TranscodeResult, id: String = "audio", folder: String) throws {
        let audio = try #require(result.renditions.first { $0.id == id })
        let initBytes = try Data(contentsOf: URL(fileURLWithPath: media.path(folder) + "/" + audio.`init`))
        #expect(initBytes.range(of: Data("elst".utf8)) == nil, "\(audio.`init`) has an edit list: the priming is still there")
        let first = try TestMedia.run(
            tool: "ffprobe",
            [
                "-v", "error", "-read_intervals", "%+#1", "-show_entries", "packet=pts", "-of", "csv=p=0",
                concatenate(media, result, id, folder: folder),
            ]
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(first == "0" && audio.segments.first?.start == 0, "\(id): first packet at \(first), index from \(audio.segments.first?.start ?? -1)")
    }

    @Test("remux-only copy: the source's own A/V timing survives, its priming left out")
    func remuxLipSync() throws {
        let media = try TestMedia()
        let flash = try Self.flashAndBeep(media, rate: 30)
        // Key frames on the 4 s grid, so the copy qualifies (240p is the top rung).
        let source = media.path("copyable.mp4")
        try media.ffmpeg([
            "-i", flash, "-vf", "scale=426:240,setsar=1", "-c:v", "libx264", "-preset", "ultrafast", "-force_key_frames", "expr:eq(mod(n,60),0)",
            "-x264-params", "scenecut=0:open-gop=0", "-c:a", "copy", source,
        ])
        let result = try Transcoder.transcode(input: source, output: media.path("copy"), options: TranscodeOptions(remuxOnly: true))
        #expect(result.renditions.first?.passthrough == true)
        let offsets = try Self.offsets(media, result, video: "240p", audio: "audio", folder: "copy")
        #expect(offsets.allSatisfy { abs($0) < 0.010 }, "A/V offsets of the copy: \(offsets)")
        try Self.expectAudioStartsAtZero(media, result, folder: "copy")
    }

    @Test("audio segments end within one AAC frame of the video's, and both total the same")
    func audioOnVideoBoundaries() throws {
        let media = try TestMedia()
        let source = media.path("eight.mp4")
        try media.ffmpeg([
            "-f", "lavfi", "-i", "testsrc2=size=426x240:rate=30:duration=8",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=8",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", source,
        ])
        let result = try Transcoder.transcode(input: source, output: media.path("out"), options: TranscodeOptions(preset: "superfast"))
        let video = try #require(result.renditions.first { $0.id == "240p" })
        let audio = try #require(result.renditions.first { $0.id == "audio" })
        let frame = 1024.0 / 48000
        #expect(video.segments.count == 2 && audio.segments.count == 2)
        #expect(abs(video.duration - 8) < 0.001, "video total \(video.duration)")
        #expect(abs(audio.duration - video.duration) < frame, "audio total \(audio.duration) against video \(video.duration)")
        var audioEnd = 0.0
        var videoEnd = 0.0
        for (a, v) in zip(audio.segments, video.segments) {
            audioEnd += Double(a.duration) / Double(audio.timescale)
            videoEnd += Double(v.duration) / Double(video.timescale)
            #expect(abs(audioEnd - videoEnd) <= frame / 2 + 1e-9, "audio ends at \(audioEnd), video at \(videoEnd)")
        }
        // The index is what ffmpeg reads in the files: each audio segment's first sample is
        // where the index starts it.
        let initBytes = try Data(contentsOf: URL(fileURLWithPath: media.path("out") + "/" + audio.`init`))
        for segment in audio.segments {
            let probe = media.path("probe.mp4")
            try (initBytes + Data(contentsOf: URL(fileURLWithPath: media.path("out") + "/" + segment.uri))).write(to: URL(fileURLWithPath: probe))
            let first = try TestMedia.run(
                tool: "ffprobe",
                ["-v", "error", "-read_intervals", "%+#1", "-show_entries", "packet=pts", "-of", "csv=p=0", probe]
            ).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(Int64(first) == segment.start, "\(segment.uri): ffprobe \(first), index \(segment.start)")
        }
        // Every segment's rounded duration within the target the playlists use (4 s).
        for rendition in [video, audio] {
            #expect(PeakBitRate.targetDuration(rendition.segments, timescale: rendition.timescale) == 4)
        }
    }

    @Test("IDR frames every 2 s by default, segments of 4 s or 6 s; a segment not a multiple of the interval is refused")
    func keyFrameInterval() throws {
        let media = try TestMedia()
        let source = try media.video("twelve.mp4", size: "426x240", seconds: 12, audio: false)
        for (segment, expectedSegments) in [(4.0, 3), (6.0, 2)] {
            let folder = "out-\(Int(segment))"
            let result = try Transcoder.transcode(
                input: source, output: media.path(folder), options: TranscodeOptions(segmentSeconds: segment, preset: "superfast"))
            let rendition = try #require(result.renditions.first)
            #expect(rendition.segments.count == expectedSegments)
            let keys = try TestMedia.run(
                tool: "ffprobe",
                [
                    "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags", "-of", "csv=p=0",
                    concatenate(media, result, rendition.id, folder: folder),
                ]
            ).split(separator: "\n").filter { $0.hasSuffix("K_") || $0.contains(",K") }
            let times = keys.compactMap { Double($0.split(separator: ",").first ?? "") }
            #expect(times == [0, 2, 4, 6, 8, 10], "key frames at \(times) with \(segment) s segments")
        }
        #expect(throws: TranscodeError.self) {
            try Transcoder.transcode(
                input: source, output: media.path("bad"), options: TranscodeOptions(segmentSeconds: 5, keyframeSeconds: 2))
        }
        #expect(TranscodeOptions.timingProblem(segmentSeconds: 5, keyframeSeconds: 2)?.contains("whole multiple") == true)
        #expect(TranscodeOptions(segmentSeconds: 1).effectiveKeyframeSeconds == 1)
    }

    @Test("declared peak bit rate: Apple's rule over runs of 0.5–1.5 target durations, within 10 % of the measured peak")
    func peakBandwidth() throws {
        let media = try TestMedia()
        // 9 s: segments of 4, 4 and 1 s; a busy picture so the rates are real.
        let source = media.path("nine.mp4")
        try media.ffmpeg([
            "-f", "lavfi", "-i", "testsrc2=size=854x480:rate=30:duration=9,noise=alls=40:allf=t",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=9",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", source,
        ])
        let result = try Transcoder.transcode(input: source, output: media.path("out"), options: TranscodeOptions(preset: "superfast"))
        for rendition in result.renditions {
            #expect(rendition.segments.count == 3)
            // Measured from the files as Apple's validator does: sizes on disk, durations from
            // ffprobe's packets, every run of consecutive segments of 2–6 s.
            var measured: [(bytes: Double, seconds: Double)] = []
            let initBytes = try Data(contentsOf: URL(fileURLWithPath: media.path("out") + "/" + rendition.`init`))
            for segment in rendition.segments {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: media.path("out") + "/" + segment.uri))
                let probe = media.path("probe.mp4")
                try (initBytes + bytes).write(to: URL(fileURLWithPath: probe))
                let durations = try TestMedia.run(
                    tool: "ffprobe", ["-v", "error", "-show_entries", "packet=duration_time", "-of", "csv=p=0", probe]
                ).split(separator: "\n").compactMap { Double($0) }
                measured.append((Double(bytes.count), durations.reduce(0, +)))
            }
            var peak = 0.0
            for first in measured.indices {
                var bytes = 0.0
                var seconds = 0.0
                for run in measured[first...] {
                    bytes += run.bytes
                    seconds += run.seconds
                    if seconds > 6 { break }
                    if seconds >= 2 { peak = max(peak, bytes * 8 / seconds) }
                }
            }
            let declared = Double(rendition.bandwidth)
            #expect(abs(declared - peak) / declared <= 0.10, "\(rendition.id): BANDWIDTH \(declared), measured peak \(peak)")
            // The short last segment alone no longer sets it.
            #expect(declared >= Double(rendition.averageBandwidth))
        }
    }

    /// init + every segment of one rendition as one file.
    static func concatenate(_ media: TestMedia, _ result: TranscodeResult, _ id: String, folder: String) throws -> String {
        let rendition = try #require(result.renditions.first { $0.id == id })
        var data = try Data(contentsOf: URL(fileURLWithPath: media.path(folder) + "/" + rendition.`init`))
        for segment in rendition.segments {
            data += try Data(contentsOf: URL(fileURLWithPath: media.path(folder) + "/" + segment.uri))
        }
        let path = media.path("\(folder)-\(id).mp4")
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    func concatenate(_ media: TestMedia, _ result: TranscodeResult, _ id: String, folder: String) throws -> String {
        try Self.concatenate(media, result, id, folder: folder)
    }
}
