import Foundation
import KinoraCore
import KinoraMediaContract
import Testing

/// The caption cutter fed what an uploader may send on purpose or by accident: cues that
/// overlap, lie past the video's end, last no time, run backwards, or carry huge text. It
/// never traps, its HLS segments stay valid WebVTT holding each cue where it shows, and its
/// DASH samples tile each segment exactly, never overlapping.
@Suite struct CaptionCutsHostileTests {
    static let edges: [Int64] = [0, 4000, 8000, 10000]

    static func file(_ cues: [String]) -> [UInt8] { Array(("WEBVTT\n\n" + cues.joined(separator: "\n\n") + "\n").utf8) }

    static func vtt(_ cut: CaptionCuts.Cut) -> [String] {
        cut.vttSegments.segments.compactMap { segment in
            cut.files.first { $0.path == segment.uri }.map { String(decoding: $0.bytes, as: UTF8.self) }
        }
    }

    /// One fMP4 sample: its duration (ms) and the payloads of the cues it shows (none: `vtte`).
    struct Sample: Equatable {
        var duration: Int64
        var payloads: [String]
    }

    /// The samples of each media segment, read back from the bytes: trun's durations and
    /// sizes, and each sample's `vttc`/`payl` boxes in mdat.
    static func samples(_ cut: CaptionCuts.Cut) throws -> [[Sample]] {
        try cut.mp4.segments.map { segment in
            let bytes = try #require(cut.files.first { $0.path == segment.uri }).bytes
            let boxes = Box.children(bytes[...])
            let traf = try #require(boxes.first { $0.type == "moof" }.flatMap { Box.children($0.body).first { $0.type == "traf" } })
            let trun = try #require(Box.children(traf.body).first { $0.type == "trun" })
            let fields = Array(trun.body)
            let count = Int(Box.u32(fields, 4))
            var payload = try #require(boxes.first { $0.type == "mdat" }).body
            var result: [Sample] = []
            for k in 0..<count {
                let duration = Int64(Box.u32(fields, 12 + 8 * k))
                let size = Int(Box.u32(fields, 16 + 8 * k))
                let sample = payload.prefix(size)
                payload = payload.dropFirst(size)
                let cues = Box.children(sample).filter { $0.type == "vttc" }
                let texts = cues.compactMap { cue in
                    Box.children(cue.body).first { $0.type == "payl" }.map { String(decoding: $0.body, as: UTF8.self) }
                }
                result.append(Sample(duration: duration, payloads: texts))
            }
            #expect(payload.isEmpty, "\(segment.uri): mdat holds bytes no sample names")
            return result
        }
    }

    /// ISO BMFF boxes, enough to read the cutter's output.
    struct Box {
        var type: String
        var body: ArraySlice<UInt8>

        static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
            guard at + 4 <= bytes.count else { return 0 }
            return bytes[at..<at + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }

        static func children(_ bytes: ArraySlice<UInt8>) -> [Box] {
            var boxes: [Box] = []
            var at = bytes.startIndex
            while at + 8 <= bytes.endIndex {
                let size = Int(bytes[at..<at + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
                guard size >= 8, at + size <= bytes.endIndex else { break }
                let type = String(decoding: bytes[at + 4..<at + 8], as: UTF8.self)
                boxes.append(Box(type: type, body: bytes[at + 8..<at + size]))
                at += size
            }
            return boxes
        }
    }

    /// Every segment's samples cover it exactly, each lasting some time, and every WebVTT
    /// segment is a file players accept.
    static func expectSane(_ cut: CaptionCuts.Cut, edges: [Int64] = edges) throws {
        let samples = try samples(cut)
        #expect(samples.count == edges.count - 1)
        for (k, list) in samples.enumerated() {
            #expect(list.allSatisfy { $0.duration > 0 }, "segment \(k + 1) has an empty sample: \(list)")
            #expect(list.reduce(0) { $0 + $1.duration } == edges[k + 1] - edges[k], "segment \(k + 1): \(list)")
        }
        for text in vtt(cut) { _ = try WebVTTValidator.validate(Array(text.utf8)) }
    }

    @Test func overlappingCuesShowTogetherWhereTheyOverlapAndEachInEverySegmentItSpans() throws {
        let cut = try CaptionCuts.cut(
            Self.file([
                "00:00.500 --> 00:06.000\nlong", "00:01.000 --> 00:02.000\ninner", "00:01.500 --> 00:09.500\nacross",
                "00:01.000 --> 00:02.000\ninner twin",
            ]),
            trackID: "text-en", language: "en", boundaries: Self.edges)
        try Self.expectSane(cut)
        let texts = Self.vtt(cut)
        #expect(["long", "inner\n", "across", "inner twin"].allSatisfy { texts[0].contains($0) })
        #expect(texts[1].contains("long") && texts[1].contains("across") && !texts[1].contains("inner"))
        #expect(texts[2].contains("across") && !texts[2].contains("long"))
        // DASH: one sample per stretch with what shows then, in file order.
        let samples = try Self.samples(cut)
        #expect(
            samples[0] == [
                Sample(duration: 500, payloads: []), Sample(duration: 500, payloads: ["long"]),
                Sample(duration: 500, payloads: ["long", "inner", "inner twin"]),
                Sample(duration: 500, payloads: ["long", "inner", "across", "inner twin"]),
                Sample(duration: 2000, payloads: ["long", "across"]),
            ], "\(samples[0])")
        #expect(samples[1] == [Sample(duration: 2000, payloads: ["long", "across"]), Sample(duration: 2000, payloads: ["across"])])
        #expect(samples[2] == [Sample(duration: 1500, payloads: ["across"]), Sample(duration: 500, payloads: [])])
    }

    @Test func cuesPastTheEndStayInTheLastWebVTTSegmentAndNoSampleRunsPastIt() throws {
        let cut = try CaptionCuts.cut(
            Self.file(["00:09.000 --> 00:12.000\nrunning over", "00:11.000 --> 00:13.000\nafter", "99:00:00.000 --> 99:00:01.000\nmuch later"]),
            trackID: "text-en", language: "en", boundaries: Self.edges)
        try Self.expectSane(cut)
        let texts = Self.vtt(cut)
        #expect(["running over", "after", "much later"].allSatisfy { texts[2].contains($0) } && !texts[0].contains("after"))
        // Cue times stay as written: a player shows what falls in the media, nothing else.
        #expect(texts[2].contains("99:00:00.000 --> 99:00:01.000"))
        let last = try Self.samples(cut)[2]
        #expect(last == [Sample(duration: 1000, payloads: []), Sample(duration: 1000, payloads: ["running over"])], "\(last)")
    }

    @Test func zeroLengthCuesAreInOneSegmentAndNeverMakeAnEmptySample() throws {
        let cut = try CaptionCuts.cut(
            Self.file(["00:03.000 --> 00:03.000\ninstant", "00:04.000 --> 00:04.000\non the boundary", "00:00.000 --> 00:00.000\nat zero"]),
            trackID: "text-en", language: "en", boundaries: Self.edges)
        try Self.expectSane(cut)
        let texts = Self.vtt(cut)
        #expect(texts[0].contains("instant") && texts[0].contains("at zero") && !texts[0].contains("on the boundary"))
        #expect(texts[1].contains("on the boundary") && !texts[2].contains("on the boundary"))
        // Nothing shows for no time: each segment is one empty sample.
        #expect(try Self.samples(cut).allSatisfy { $0.count == 1 && $0[0].payloads.isEmpty })
    }

    @Test func aCueEndingBeforeItStartsIsRefusedWithItsLine() {
        #expect(throws: WebVTTValidator.Failure(line: 6, reason: "the cue ends (00:00:04.000) before it starts (00:00:05.000)")) {
            try CaptionCuts.cut(
                Self.file(["00:01.000 --> 00:02.000\nfine", "00:05.000 --> 00:04.000\nbackwards"]), trackID: "text-en", language: "en",
                boundaries: Self.edges)
        }
    }

    @Test func aHugeCueIsCutWholeIntoEachSegmentItSpans() throws {
        let text = String(repeating: "Ünïcødé text of a very long cue ", count: 40_000)
        let bytes = Self.file(["00:01.000 --> 00:09.000\n" + text])
        #expect(bytes.count > 1_000_000 && bytes.count <= Captions.maxBytes)
        let cut = try CaptionCuts.cut(bytes, trackID: "text-en", language: "en", boundaries: Self.edges)
        try Self.expectSane(cut)
        #expect(Self.vtt(cut).map { $0.contains(text) } == [true, true, true])
        #expect(try Self.samples(cut).map { $0.filter { !$0.payloads.isEmpty }.map(\.payloads) } == [[[text]], [[text]], [[text]]])
    }

    /// A long video's boundaries: `count` segments of 4 s.
    static func longVideo(_ count: Int) -> [Int64] { (0...count).map { Int64($0) * 4000 } }

    @Test func aCutThatWouldWriteFarMoreThanTheFileIsRefusedNotWritten() throws {
        // A 1.3 MB cue across a two-hour video: 1800 copies for HLS and as many for DASH (some
        // 4.7 GB at every publish) if it were cut. It is refused at once; the publisher then
        // names the uploaded file as it is.
        let text = String(repeating: "x", count: 1_300_000)
        let started = ContinuousClock.now
        #expect(throws: CaptionCuts.TooLarge(limit: CaptionCuts.maxCutBytes)) {
            try CaptionCuts.cut(
                Self.file(["00:00.000 --> 02:00:00.000\n" + text]), trackID: "text-en", language: "en", boundaries: Self.longVideo(1800))
        }
        // Thousands of overlapping cues (each shown with all the others in every stretch) too.
        let piled = (0..<20_000).map { k in "\(CueTime.text(Int64(k % 4000))) --> 01:00:00.000\ncue \(k)" }
        #expect(throws: CaptionCuts.TooLarge(limit: CaptionCuts.maxCutBytes)) {
            try CaptionCuts.cut(Self.file(piled), trackID: "text-en", language: "en", boundaries: Self.longVideo(900))
        }
        #expect(ContinuousClock.now - started < .seconds(60), "refusing took \(ContinuousClock.now - started)")
        // A feature film's ordinary file (1500 cues of 2 s over 2 h) is cut, and small.
        let film = (0..<1500).map { k in
            let start = Int64(k) * 4800
            return "\(CueTime.text(start)) --> \(CueTime.text(start + 2000))\nLine \(k) of the dialogue"
        }
        let bytes = Self.file(film)
        let cut = try CaptionCuts.cut(bytes, trackID: "text-en", language: "en", boundaries: Self.longVideo(1800))
        #expect(cut.vttSegments.segments.count == 1800)
        let written = cut.files.reduce(0) { $0 + $1.bytes.count }
        #expect(written < 100 * bytes.count, "\(written) bytes written for a \(bytes.count)-byte file")
    }
}

/// `hh:mm:ss.ttt` for test cues.
enum CueTime {
    static func text(_ ms: Int64) -> String {
        func pad(_ n: Int64, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(n).count)) + String(n) }
        return "\(pad(ms / 3_600_000, 2)):\(pad(ms / 60_000 % 60, 2)):\(pad(ms / 1000 % 60, 2)).\(pad(ms % 1000, 3))"
    }
}
