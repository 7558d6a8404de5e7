import Foundation
import KinoraCore
import KinoraMediaContract
import KinoraTestSupport
import Testing

/// A caption file cut on the media's segment boundaries: WebVTT segments for HLS (with the
/// X-TIMESTAMP-MAP RFC 8216 §3.5 requires) and fMP4 `wvtt` for DASH, read back by ffprobe.
@Suite struct CaptionCutsTests {
    static let file = """
        WEBVTT

        NOTE a note is not a cue

        intro
        00:00:00.500 --> 00:00:03.000 line:90%
        Hello

        00:00:03.500 --> 00:00:05.000
        <b>Across</b> the boundary
        second line

        00:00:09.500 --> 00:00:12.000
        Past the end

        """

    static func segments(_ durations: [Int64], timescale: Int64) -> [Rendition.Segment] {
        var start: Int64 = 0
        return durations.enumerated().map { k, d in
            defer { start += d }
            return Rendition.Segment(uri: "720p/seg-0000\(k + 1).m4s", start: start, duration: d, size: 1)
        }
    }

    @Test func theBoundariesAreTheVideosInMilliseconds() {
        let video = Rendition(
            id: "720p", type: .video, codecs: "avc1.64001f", bandwidth: 1, averageBandwidth: 1, width: 2, height: 2,
            timescale: 90000, init: "720p/init.mp4", segments: Self.segments([360_000, 360_000, 180_000], timescale: 90000))
        let audio = Rendition(
            id: "audio", type: .audio, codecs: "mp4a.40.2", bandwidth: 1, averageBandwidth: 1, timescale: 48000,
            init: "audio/init.mp4", segments: Self.segments([192_512, 191_488], timescale: 48000))
        #expect(CaptionCuts.boundaries([audio, video], duration: 10) == [0, 4000, 8000, 10000])
        #expect(CaptionCuts.boundaries([audio], duration: 10) == [0, 4011, 8000])
        #expect(CaptionCuts.boundaries([], duration: 2.5) == [0, 2500])
    }

    @Test func webVTTSegmentsCarryTheTimestampMapAndEveryCueTheyOverlap() throws {
        let cut = try CaptionCuts.cut(Array(Self.file.utf8), trackID: "text-en", language: "en", boundaries: [0, 4000, 8000, 10000])
        #expect(cut.vttSegments.segments.map(\.uri) == ["text-en/seg-00001.vtt", "text-en/seg-00002.vtt", "text-en/seg-00003.vtt"])
        #expect(cut.vttSegments.segments.map(\.duration) == [4000, 4000, 2000] && cut.vttSegments.timescale == 1000)
        let texts = cut.files.filter { $0.path.hasSuffix(".vtt") }.map { String(decoding: $0.bytes, as: UTF8.self) }
        #expect(texts.count == 3)
        #expect(texts.allSatisfy { $0.hasPrefix("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\n") })
        // Cue times stay absolute; a cue across a boundary is in both segments.
        #expect(texts[0].contains("intro\n00:00:00.500 --> 00:00:03.000 line:90%\nHello\n"))
        #expect(texts[0].contains("00:00:03.500 --> 00:00:05.000\n<b>Across</b> the boundary\nsecond line\n"))
        #expect(texts[1].contains("<b>Across</b>") && !texts[1].contains("Hello"))
        // The cue running past the media's end stays in the last segment.
        #expect(texts[2].contains("Past the end") && !texts[2].contains("Across"))
        for (text, segment) in zip(texts, cut.vttSegments.segments) { #expect(Int64(text.utf8.count) == segment.size) }
        // Each segment is a WebVTT file players accept.
        for text in texts { _ = try WebVTTValidator.validate(Array(text.utf8)) }
    }

    @Test func fragmentedMP4CaptionsAreReadByFFprobeWithTheirCues() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("wvtt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cut = try CaptionCuts.cut(Array(Self.file.utf8), trackID: "text-fr", language: "fr", boundaries: [0, 4000, 8000, 10000])
        #expect(cut.mp4.codecs == "wvtt" && cut.mp4.`init` == "text-fr/init.mp4" && cut.mp4.timescale == 1000)
        #expect(cut.mp4.segments.map(\.uri) == ["text-fr/seg-00001.m4s", "text-fr/seg-00002.m4s", "text-fr/seg-00003.m4s"])
        #expect(cut.files.filter { $0.path.hasSuffix(".m4s") || $0.path.hasSuffix(".mp4") }.allSatisfy { $0.contentType == "application/mp4" })
        // init + every segment, as a player appends them.
        var whole = try #require(cut.files.first { $0.path == "text-fr/init.mp4" }).bytes
        for segment in cut.mp4.segments { whole += try #require(cut.files.first { $0.path == segment.uri }).bytes }
        try Data(whole).write(to: URL(fileURLWithPath: dir + "/captions.mp4"))
        // ffmpeg 5.1 has no wvtt decoder but reads the box structure: the track, its language
        // and its samples at every cue edge, tiling the 10 s (GStreamer's qtdemux and VLC 3.0's
        // mp4 demuxer read the same file as WebVTT subtitles).
        let stream = try TestEnvironment.run(
            "/usr/bin/ffprobe",
            ["-v", "error", "-show_entries", "stream=codec_tag_string,duration:stream_tags=language", "-of", "default=nw=1", dir + "/captions.mp4"])
        #expect(stream.status == 0, "\(stream.output)")
        #expect(stream.output.contains("codec_tag_string=wvtt") && stream.output.contains("duration=10.000000"), "\(stream.output)")
        #expect(stream.output.contains("TAG:language=fra"), "\(stream.output)")
        let packets = try TestEnvironment.run("/usr/bin/ffprobe", ["-v", "error", "-show_entries", "packet=pts", "-of", "csv=p=0", dir + "/captions.mp4"])
        #expect(packets.status == 0, "\(packets.output)")
        // Cue edges (0.5, 3, 3.5, 5, 9.5 s) and segment starts (4, 8 s) each begin a sample.
        #expect(packets.output.split(separator: "\n").map(String.init) == ["0", "500", "3000", "3500", "4000", "5000", "8000", "9500"], "\(packets.output)")
    }

    @Test func aFileWithoutCuesIsCutIntoEmptySamples() throws {
        let cut = try CaptionCuts.cut(Array("WEBVTT\n".utf8), trackID: "text-en", language: "en", boundaries: [0, 4000])
        #expect(cut.files.count == 3)
        let segment = try #require(cut.files.first { $0.path == "text-en/seg-00001.m4s" }).bytes
        #expect(segment.count > 0 && Data(segment).range(of: Data("vtte".utf8)) != nil)
    }
}
