import Foundation
import KinoraMedia
import Testing

private func approximately(_ value: Double?, _ expected: Double, within tolerance: Double = 0.1) -> Bool {
    guard let value else { return false }
    return abs(value - expected) <= tolerance
}

private let h264ProfileIDC: [String: Int] = [
    "Baseline": 66, "Constrained Baseline": 66, "Main": 77, "Extended": 88, "High": 100, "High 10": 110,
]

@Suite("MediaProbe: accepted media")
struct MediaProbeAcceptedTests {
    @Test("H.264/AAC MP4: dimensions, duration, codecs and codec strings agree with ffprobe")
    func h264AacMP4() throws {
        let media = try TestMedia()
        let file = try media.video("landscape.mp4")
        let info = try MediaProbe.probe(path: file, limits: .default)

        #expect(info.container.split(separator: ",").contains("mp4"))
        #expect(approximately(info.duration, 2))
        #expect(info.streams.count == 2)
        #expect(info.hasDecodableVideo)
        #expect(info.hasDecodableAudio)
        #expect(!info.isAudioOnly)
        #expect((info.bitRate ?? 0) > 0)

        let video = try #require(info.bestVideo)
        #expect(video.codecName == "h264")
        #expect(video.width == 640 && video.height == 360)
        #expect(info.displayWidth == 640 && info.displayHeight == 360)
        #expect(video.pixelFormat == "yuv420p")
        #expect(approximately(video.frameRate, 25, within: 0.01))
        #expect(video.rotation == 0)
        #expect(!video.isInterlaced)
        #expect(video.fieldOrder == .progressive)

        let audio = try #require(info.bestAudio)
        #expect(audio.codecName == "aac")
        #expect(audio.sampleRate == 44100)
        #expect(audio.channels == 1)
        #expect(audio.channelLayout == "mono")
        #expect(audio.codecString == "mp4a.40.2")

        // Profile and level as ffprobe reports them; the codec string's bytes as the avcC box holds them.
        let probed = try media.ffprobeStreams(file)
        let probedVideo = try #require(probed.first { $0["codec_type"] as? String == "video" })
        let probedAudio = try #require(probed.first { $0["codec_type"] as? String == "audio" })
        let profileName = try #require(probedVideo["profile"] as? String)
        #expect(video.profileName == profileName)
        #expect(video.level == probedVideo["level"] as? Int)
        #expect(audio.profileName == probedAudio["profile"] as? String)
        let avcC = try media.avcConfiguration(file)
        let expected = "avc1." + avcC[1...3].map { String(format: "%02x", $0) }.joined()
        #expect(info.videoCodecString == expected)
        #expect(Int(avcC[1]) == h264ProfileIDC[profileName])
        #expect(Int(avcC[3]) == video.level)
        #expect(info.videoCodecString == "avc1.64001e")  // libx264 High, level 3.0
        #expect(info.codecStrings == ["avc1.64001e", "mp4a.40.2"])
    }

    @Test("Constrained Baseline keeps its constraint flags in the codec string")
    func constrainedBaseline() throws {
        let media = try TestMedia()
        let file = try media.video("baseline.mp4", seconds: 1, audio: false, videoOptions: ["-profile:v", "baseline"])
        let info = try MediaProbe.probe(path: file)
        let probed = try #require(try media.ffprobeStreams(file).first)
        #expect(info.bestVideo?.profileName == probed["profile"] as? String)
        #expect(info.videoCodecString == "avc1.42c01e")  // constraint_set0 + constraint_set1
    }

    @Test("portrait video: width and height as stored")
    func portrait() throws {
        let media = try TestMedia()
        let info = try MediaProbe.probe(path: try media.video("portrait.mp4", size: "360x640", seconds: 1))
        #expect(info.bestVideo?.width == 360 && info.bestVideo?.height == 640)
        #expect(info.displayWidth == 360 && info.displayHeight == 640)
        #expect(info.bestVideo?.rotation == 0)
    }

    @Test("rotation from the display matrix swaps the display size")
    func rotated() throws {
        let media = try TestMedia()
        let source = try media.video("source.mp4", seconds: 1)
        // FFmpeg 5.1 writes a display matrix for "rotate" only when stream copying.
        let file = media.path("rotated.mp4")
        try media.ffmpeg(["-i", source, "-c", "copy", "-metadata:s:v", "rotate=90", file])
        let info = try MediaProbe.probe(path: file)
        let video = try #require(info.bestVideo)
        #expect(video.width == 640 && video.height == 360)
        #expect(info.displayWidth == 360 && info.displayHeight == 640)

        // ffprobe's "rotation" is av_display_rotation_get (counterclockwise); ours is clockwise.
        let probed = try #require(try media.ffprobeStreams(file).first { $0["codec_type"] as? String == "video" })
        let sideData = try #require(probed["side_data_list"] as? [[String: Any]])
        let counterclockwise = try #require(sideData.compactMap { $0["rotation"] as? Int }.first)
        #expect(video.rotation == ((-counterclockwise % 360) + 360) % 360)
        #expect(video.rotation == 270)  // FFmpeg 5.1's CLI turns rotate=90 into 90° counterclockwise
    }

    @Test("audio-only M4A")
    func audioOnlyM4A() throws {
        let media = try TestMedia()
        let file = media.path("tone.m4a")
        try media.ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "aac", file])
        let info = try MediaProbe.probe(path: file)
        #expect(info.isAudioOnly)
        #expect(info.bestVideo == nil)
        #expect(info.displayWidth == nil)
        #expect(info.hasDecodableAudio && !info.hasDecodableVideo)
        #expect(info.audioCodecString == "mp4a.40.2")
        #expect(approximately(info.duration, 2))
    }

    @Test("audio-only MP3 with cover art: the picture is not a video")
    func mp3WithCoverArt() throws {
        let media = try TestMedia()
        let cover = media.path("cover.png")
        try media.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x64", "-frames:v", "1", cover])
        let file = media.path("tone.mp3")
        try media.ffmpeg([
            "-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-i", cover,
            "-map", "0:a", "-map", "1:v", "-c:a", "libmp3lame", "-c:v", "copy",
            "-disposition:v", "attached_pic", "-id3v2_version", "3", file,
        ])
        let info = try MediaProbe.probe(path: file)
        #expect(info.container == "mp3")
        #expect(info.isAudioOnly)
        #expect(info.streams.contains { $0.isAttachedPicture && $0.kind == .video })
        #expect(info.bestAudio?.codecName == "mp3")
        #expect(info.audioCodecString == "mp4a.40.34")
        #expect(approximately(info.duration, 2, within: 0.15))
    }

    @Test("video without audio")
    func videoOnly() throws {
        let media = try TestMedia()
        let info = try MediaProbe.probe(path: try media.video("silent.mp4", seconds: 1, audio: false))
        #expect(info.bestAudio == nil)
        #expect(!info.isAudioOnly)
        #expect(info.hasDecodableVideo && !info.hasDecodableAudio)
        #expect(info.codecStrings == ["avc1.64001e"])
    }

    @Test("interlaced H.264 (top field first)")
    func interlaced() throws {
        let media = try TestMedia()
        let file = try media.video(
            "interlaced.mp4", size: "720x576", seconds: 1, audio: false,
            videoOptions: ["-flags", "+ilme+ildct", "-top", "1"]
        )
        let info = try MediaProbe.probe(path: file)
        let video = try #require(info.bestVideo)
        #expect(video.isInterlaced)
        #expect(video.fieldOrder == .topFirst)
        let probed = try #require(try media.ffprobeStreams(file).first)
        #expect(probed["field_order"] as? String == "tt")
    }

    @Test("an animated GIF is a (silent) video")
    func animatedGIF() throws {
        let media = try TestMedia()
        let file = media.path("anim.gif")
        try media.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x64:rate=10:duration=1", file])
        let info = try MediaProbe.probe(path: file)
        #expect(info.container == "gif")
        #expect(info.bestVideo?.codecName == "gif")
    }

    @Test("sizes fit in either orientation")
    func portraitFitsLandscapeLimit() throws {
        let media = try TestMedia()
        let file = try media.video("portrait.mp4", size: "360x640", seconds: 1, audio: false)
        let info = try MediaProbe.probe(path: file, limits: ProbeLimits(maxWidth: 640, maxHeight: 360))
        #expect(info.bestVideo?.height == 640)
    }

    @Test("MediaInfo survives a JSON round trip")
    func codable() throws {
        let media = try TestMedia()
        let info = try MediaProbe.probe(path: try media.video("clip.mp4", seconds: 1))
        let decoded = try JSONDecoder().decode(MediaInfo.self, from: JSONEncoder().encode(info))
        #expect(decoded == info)
    }

    @Test("concurrent probes of the same and different files agree")
    func concurrentProbes() async throws {
        let media = try TestMedia()
        let first = try media.video("a.mp4", seconds: 1)
        let second = try media.video("b.mp4", size: "360x640", seconds: 1)
        let expectedFirst = try MediaProbe.probe(path: first)
        let expectedSecond = try MediaProbe.probe(path: second)
        let results = try await withThrowingTaskGroup(of: (Int, MediaInfo).self) { group in
            for round in 0..<24 {
                let path = round.isMultiple(of: 2) ? first : second
                group.addTask { (round, try MediaProbe.probe(path: path)) }
            }
            var results: [(Int, MediaInfo)] = []
            for try await result in group { results.append(result) }
            return results
        }
        #expect(results.count == 24)
        for (round, info) in results {
            #expect(info == (round.isMultiple(of: 2) ? expectedFirst : expectedSecond))
        }
    }
}

@Suite("FFmpeg libraries")
struct FFmpegLibraryTests {
    @Test("the linked library versions match what the ffmpeg CLI reports")
    func versions() throws {
        let versions = FFmpegVersions.current
        let banner = try TestMedia.run(tool: "ffmpeg", ["-hide_banner", "-version"])
        // "libavformat    59. 27.100 / 59. 27.100"
        func cliVersion(_ library: String) -> String? {
            guard let line = banner.split(separator: "\n").first(where: { $0.hasPrefix(library + " ") }) else { return nil }
            let runtime = line.split(separator: "/").last ?? ""
            return runtime.replacingOccurrences(of: " ", with: "")
        }
        #expect(versions.libavformat == cliVersion("libavformat"))
        #expect(versions.libavcodec == cliVersion("libavcodec"))
        #expect(versions.libswscale == cliVersion("libswscale"))
        #expect(versions.libavutil == cliVersion("libavutil"))
        #expect(!versions.ffmpeg.isEmpty)
    }

    @Test("encoders built into libavcodec")
    func encoders() {
        let available = EncoderProbe.available()
        #expect(Set(available.keys) == ["libx264", "h264_nvenc", "h264_vaapi", "aac"])
        #expect(available["libx264"] == true)
        #expect(available["aac"] == true)
        #expect(EncoderProbe.available(["no_such_encoder"]) == ["no_such_encoder": false])
    }
}
