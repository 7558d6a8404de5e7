import Foundation
import KinoraMedia
import Testing

/// Poster, candidates and trickplay sprites, made from the frames the transcode decodes.
@Suite("Thumbnails")
struct ThumbnailTests {
    @Test("the poster is a candidate with something in it, not a black frame; tiles cover the video")
    func posterSkipsBlackFrames() throws {
        let media = try TestMedia()
        let source = media.path("black-then-bars.mp4")
        // 4 s of black, then 6 s of colour bars: candidates at 1, 3 s are black; 5, 7, 9 s are not.
        try media.ffmpeg([
            "-f", "lavfi", "-i", "color=black:size=640x360:rate=25:duration=4",
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=6",
            "-filter_complex", "[0][1]concat=n=2:v=1:a=0", "-c:v", "libx264", "-preset", "ultrafast", source,
        ])
        let result = try transcode(source, media)
        let thumbnails = try #require(result.thumbnails)
        let folder = media.path("out") + "/"
        #expect(thumbnails.candidates.count == 5)
        let poster = try Data(contentsOf: URL(fileURLWithPath: folder + thumbnails.poster))
        let candidates = try thumbnails.candidates.map { try Data(contentsOf: URL(fileURLWithPath: folder + $0)) }
        #expect(candidates.firstIndex(of: poster).map { $0 >= 2 } == true, "the poster must be one of the non-black candidates")
        let size = try #require(media.ffprobeStreams(folder + thumbnails.poster).first)
        #expect(size["width"] as? Int == 640 && size["height"] as? Int == 360)
        // Each candidate also comes small, for cards; the poster's is the same frame's.
        #expect(thumbnails.cards.count == 5 && thumbnails.cards.contains(thumbnails.card))
        let posterIndex = try #require(candidates.firstIndex(of: poster))
        #expect(thumbnails.cards[posterIndex] == thumbnails.card, "the card picture must be the poster's frame")
        let card = try #require(media.ffprobeStreams(folder + thumbnails.card).first)
        #expect(card["width"] as? Int == 320 && card["height"] as? Int == 180)
        let cardBytes = try Data(contentsOf: URL(fileURLWithPath: folder + thumbnails.card)).count
        // 320x180 against this 640x360 source's poster.
        #expect(cardBytes < poster.count / 2, "a card picture (\(cardBytes) B) should weigh less than the poster (\(poster.count) B)")

        #expect(thumbnails.interval == 2 && thumbnails.tileWidth == 160 && thumbnails.tileHeight == 90)
        #expect(thumbnails.sprites.count == 1)
        let sheet = try #require(media.ffprobeStreams(folder + thumbnails.sprites[0]).first)
        // Five tiles in one row of ten: the sheet is cropped to the rows used.
        #expect(sheet["width"] as? Int == 1600 && sheet["height"] as? Int == 90)
        let track = try String(contentsOfFile: folder + thumbnails.track, encoding: .utf8)
        #expect(track.hasPrefix("WEBVTT\n"))
        #expect(track.contains("00:00:08.000 --> 00:00:10.000\nsprite-001.jpg#xywh=640,0,160,90"), "\(track)")
        #expect(track.components(separatedBy: " --> ").count == 6)
    }

    @Test("a rotated source gives upright portrait pictures")
    func rotated() throws {
        let media = try TestMedia()
        let plain = try media.video("plain.mp4", size: "320x240", seconds: 2, audio: false)
        let source = media.path("rotated.mp4")
        try media.ffmpeg(["-i", plain, "-c", "copy", "-metadata:s:v", "rotate=90", source])
        let thumbnails = try #require(try transcode(source, media).thumbnails)
        #expect(thumbnails.tileWidth == 120 && thumbnails.tileHeight == 160)
        let poster = try #require(media.ffprobeStreams(media.path("out") + "/" + thumbnails.poster).first)
        #expect(poster["width"] as? Int == 240 && poster["height"] as? Int == 320)
    }

    @Test("a first pass whose only rung is copied still decodes frames for the thumbnails")
    func copiedRungStillGetsThumbnails() throws {
        let media = try TestMedia()
        let source = media.path("small-aligned.mp4")
        // 426x240 is the 240p rung itself; key frames every second sit on a 1 s grid.
        try media.ffmpeg([
            "-f", "lavfi", "-i", "testsrc2=size=426x240:rate=25:duration=3", "-c:v", "libx264", "-preset", "veryfast",
            "-pix_fmt", "yuv420p", "-b:v", "200k", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", source,
        ])
        let result = try transcode(source, media)
        #expect(result.renditions.first?.passthrough == true, "the rung should be copied: \(result.passthroughRefusal ?? "")")
        let thumbnails = try #require(result.thumbnails)
        #expect(thumbnails.candidates.count == 5 && thumbnails.sprites.count == 1)
    }

    @Test("audio only: no thumbnails, no thumbs folder")
    func audioOnly() throws {
        let media = try TestMedia()
        let source = media.path("tone.m4a")
        try media.ffmpeg(["-f", "lavfi", "-i", "sine=duration=2", "-c:a", "aac", source])
        let result = try transcode(source, media)
        #expect(result.thumbnails == nil)
        #expect(!FileManager.default.fileExists(atPath: media.path("out") + "/thumbs"))
    }

    @Test("without the option no thumbnails are made")
    func notAsked() throws {
        let media = try TestMedia()
        let source = try media.video("clip.mp4", size: "320x240", seconds: 1, audio: false)
        let result = try Transcoder.transcode(
            input: source, output: media.path("out"),
            options: TranscodeOptions(segmentSeconds: 1, preset: "ultrafast", firstPassOnly: true))
        #expect(result.thumbnails == nil)
        #expect(!FileManager.default.fileExists(atPath: media.path("out") + "/thumbs"))
    }

    func transcode(_ source: String, _ media: TestMedia) throws -> TranscodeResult {
        try Transcoder.transcode(
            input: source, output: media.path("out"),
            options: TranscodeOptions(segmentSeconds: 1, preset: "ultrafast", firstPassOnly: true, thumbnails: true))
    }
}
