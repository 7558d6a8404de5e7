import Foundation
import KinoraMedia
import Testing

/// The passthrough (remux) rung: a qualifying source's H.264 copied into the top rung, byte for
/// byte, on the same segment boundaries as the encoded rungs; anything else re-encoded with a reason.
@Suite("Passthrough")
struct PassthroughTests {
    /// 640x360 at 30 fps, 9 s, B-frames, key frames every `keyInterval` frames and nowhere else,
    /// about 500 kb/s (the 360p rung allows 1.5 x 800 kb/s), with AAC.
    func source(_ media: TestMedia, _ name: String, keyInterval: Int, audio: String = "aac") throws -> String {
        let path = media.path(name)
        try media.ffmpeg([
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=9",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=9",
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-b:v", "500k",
            "-g", "\(keyInterval)", "-keyint_min", "\(keyInterval)", "-sc_threshold", "0",
            "-c:a", audio, "-shortest", path,
        ])
        return path
    }

    /// size, key flag and MD5 of every video packet, in decode order.
    func videoPackets(_ path: String) throws -> [String] {
        try TestMedia.run(
            tool: "ffprobe",
            [
                "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=size,flags,data_hash",
                "-show_data_hash", "MD5", "-of", "csv=p=0", path,
            ]
        )
        .split(separator: "\n").map(String.init)
    }

    func seconds(_ rendition: Rendition) -> [Double] {
        rendition.segments.map { (Double($0.start) / Double(rendition.timescale) * 1000).rounded() / 1000 }
    }

    @Test("aligned H.264: the top rung is the source's packets, on the encoded rungs' boundaries")
    func alignedSourceIsCopied() throws {
        let media = try TestMedia()
        let source = try source(media, "aligned.mp4", keyInterval: 60)
        let result = try Transcoder.transcode(input: source, output: media.path("out"), options: TranscodeOptions(preset: "ultrafast"))
        #expect(result.passthroughRefusal == nil)
        #expect(result.renditions.map(\.id) == ["240p", "360p", "audio"])
        let copied = try #require(result.renditions.first { $0.id == "360p" })
        let encoded = try #require(result.renditions.first { $0.id == "240p" })
        #expect(copied.passthrough == true && encoded.passthrough == nil)
        #expect(copied.width == 640 && copied.height == 360 && copied.frameRate == 30 && copied.timescale == encoded.timescale)
        let avcC = try media.avcConfiguration(source)
        #expect(copied.codecs == "avc1." + avcC[1...3].map { String(format: "%02x", $0) }.joined())

        // The same boundaries as the encoded rung: 0, 4, 8 s, the same lengths.
        #expect(seconds(copied) == [0, 4, 8] && seconds(copied) == seconds(encoded))
        #expect(copied.segments.map(\.duration) == encoded.segments.map(\.duration))
        let joined = try TranscoderTests().concatenate(media, result, "360p")
        #expect(try videoPackets(joined) == videoPackets(source), "the copy must be the source's packets, byte for byte")
        // Each segment starts with its key frame, and the index's I-frame range ends with it.
        let initBytes = try Data(contentsOf: URL(fileURLWithPath: media.path("out") + "/" + copied.`init`))
        for segment in copied.segments {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: media.path("out") + "/" + segment.uri))
            #expect(Int64(bytes.count) == segment.size)
            let probe = media.path("probe.mp4")
            try (initBytes + bytes).write(to: URL(fileURLWithPath: probe))
            let first = try #require(try videoPackets(probe).first)
            #expect(first.contains(",K"), "\(segment.uri): \(first)")
        }
        let errors = try TestMedia.run(tool: "ffmpeg", ["-nostdin", "-v", "error", "-i", joined, "-f", "null", "-"])
        #expect(errors.isEmpty)
    }

    @Test("key frames every 2.5 s: the top rung is re-encoded, and the reason says why")
    func keyFramesOffTheGridAreReencoded() throws {
        let media = try TestMedia()
        let source = try source(media, "drifting.mp4", keyInterval: 75)
        let result = try Transcoder.transcode(input: source, output: media.path("out"), options: TranscodeOptions(preset: "ultrafast"))
        #expect(result.passthroughRefusal == "key frames every 2.5 s do not fall on the 4 s segment grid (none at 4 s)")
        let top = try #require(result.renditions.first { $0.id == "360p" })
        #expect(top.passthrough == nil && seconds(top) == [0, 4, 8])
        // Encoded: IDR frames every 2 s (0, 2, 4, 6, 8 in 9 s).
        #expect(try videoPackets(TranscoderTests().concatenate(media, result, "360p")).filter { $0.contains(",K") }.count == 5)
    }

    @Test("remux-only: the copied rung and copied AAC, nothing encoded; an ineligible source is an error that says why")
    func remuxOnly() throws {
        let media = try TestMedia()
        let aligned = try source(media, "aligned.mkv", keyInterval: 60)
        let result = try Transcoder.transcode(input: aligned, output: media.path("remux"), options: TranscodeOptions(remuxOnly: true))
        #expect(result.renditions.map(\.id) == ["360p", "audio"] && result.encoder == "copy")
        #expect(result.renditions.first?.passthrough == true)
        let audio = try #require(result.renditions.last)
        // Copied, so the source's 44.1 kHz (the encoder would have made 48 kHz).
        #expect(audio.sampleRate == 44100 && audio.codecs == "mp4a.40.2")
        // Cut as the encoded audio is: before the AAC frame starting nearest each boundary
        // (Matroska's millisecond timestamps blur "nearest" by up to a millisecond).
        #expect(zip(seconds(audio), [0.0, 4, 8]).allSatisfy { abs($0 - $1) <= 1024.0 / 44100 }, "\(seconds(audio))")
        let audioStream = try #require(media.ffprobeStreams(TranscoderTests().concatenate(media, result, "audio", folder: "remux")).first)
        #expect(audioStream["codec_name"] as? String == "aac" && audioStream["sample_rate"] as? String == "44100")
        #expect(try videoPackets(TranscoderTests().concatenate(media, result, "360p", folder: "remux")) == videoPackets(aligned))

        // MP3 audio cannot be copied into CMAF for every player: it is encoded to AAC instead.
        let mp3 = try source(media, "mp3.mkv", keyInterval: 60, audio: "libmp3lame")
        let encodedAudio = try Transcoder.transcode(input: mp3, output: media.path("mp3"), options: TranscodeOptions(remuxOnly: true))
        #expect(encodedAudio.renditions.last.map { "\($0.codecs) \($0.sampleRate ?? 0)" } == "mp4a.40.2 48000")

        let drifting = try source(media, "drifting.mp4", keyInterval: 75)
        #expect(throws: TranscodeError.notRemuxable("key frames every 2.5 s do not fall on the 4 s segment grid (none at 4 s)")) {
            try Transcoder.transcode(input: drifting, output: media.path("refused"), options: TranscodeOptions(remuxOnly: true))
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: media.path("refused"))
        #expect(left.isEmpty, "a refused remux leaves nothing: \(left)")
        let annexB = media.path("annexb.ts")
        try media.ffmpeg(["-i", aligned, "-c", "copy", annexB])
        do {
            _ = try Transcoder.transcode(input: annexB, output: media.path("ts"), options: TranscodeOptions(remuxOnly: true))
            Issue.record("an MPEG-TS source was remuxed")
        } catch {
            #expect(error.code == "not-remuxable" && error.description.contains("Annex B"), "\(error)")
        }
    }

    @Test("no passthrough: an aligned source's top rung is encoded like the others")
    func passthroughOff() throws {
        let media = try TestMedia()
        let source = try source(media, "aligned.mp4", keyInterval: 60)
        let options = TranscodeOptions(preset: "ultrafast", onlyShortSides: [360], passthrough: false)
        let result = try Transcoder.transcode(input: source, output: media.path("out"), options: options)
        #expect(result.passthroughRefusal == nil)
        let top = try #require(result.renditions.first)
        #expect(result.renditions.map(\.id) == ["360p", "audio"] && top.passthrough == nil && seconds(top) == [0, 4, 8])
        #expect(try videoPackets(TranscoderTests().concatenate(media, result, "360p")) != videoPackets(source))
    }

    @Test("too many bits, the wrong size or a variable frame rate: encoded, with the reason")
    func otherRefusals() throws {
        let media = try TestMedia()
        let heavy = media.path("heavy.mp4")
        try media.ffmpeg([
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=4", "-c:v", "libx264", "-preset", "ultrafast",
            "-pix_fmt", "yuv420p", "-qp", "0", "-g", "60", heavy,
        ])
        let options = TranscodeOptions(preset: "ultrafast", onlyShortSides: [360])
        let refused = try Transcoder.transcode(input: heavy, output: media.path("heavy"), options: options).passthroughRefusal ?? ""
        #expect(refused.contains("over 1.5x the 360p rung's 0.8 Mb/s"), "\(refused)")

        let odd = media.path("odd.mp4")
        try media.ffmpeg([
            "-f", "lavfi", "-i", "testsrc2=size=640x362:rate=30:duration=4", "-c:v", "libx264", "-preset", "ultrafast",
            "-pix_fmt", "yuv420p", "-b:v", "300k", "-g", "60", odd,
        ])
        let oddRefusal = try Transcoder.transcode(input: odd, output: media.path("odd"), options: options).passthroughRefusal
        #expect(oddRefusal == "the source's 640x362 is not the 360p rung's 636x360")

        let variable = media.path("vfr.mkv")
        try media.ffmpeg([
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=4", "-vf", "settb=1/1000,setpts='if(lt(N,60),N/30,2+(N-60)/25)/TB'",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-b:v", "300k", "-g", "60", "-fps_mode", "passthrough", variable,
        ])
        let vfr = try Transcoder.transcode(input: variable, output: media.path("vfr"), options: options).passthroughRefusal ?? ""
        #expect(vfr.hasPrefix("the frame rate is not constant (frame intervals from 33 to "), "\(vfr)")
    }
}
