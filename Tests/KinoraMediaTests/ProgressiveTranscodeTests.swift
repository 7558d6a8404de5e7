import Foundation
import KinoraMedia
import KinoraTestSupport
import Testing

/// A progressive first pass reports its renditions segment by segment, so the daemon can
/// publish a video while it is made: each report is a state a player could play.
@Suite("Progressive transcode")
struct ProgressiveTranscodeTests {
    @Test("every report names the same whole segments of every rendition, growing, and a prefix of the result")
    func reportsGrowInStep() throws {
        let media = try TestMedia()
        let source = media.path("source.mp4")
        try media.ffmpeg([
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=6",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=6",
            "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=48000:duration=6,aformat=channel_layouts=5.1",
            "-map", "0:v", "-map", "1:a", "-map", "2:a",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", source,
        ])
        let output = media.path("out")
        let reports = Locked<[(counts: [Int], missing: [String])]>([])
        var options = TranscodeOptions(segmentSeconds: 1, preset: "superfast", firstPassOnly: true)
        options.progressive = true
        let result = try Transcoder.transcode(input: source, output: output, options: options) { _ in
        } segments: { renditions in
            // Reported files are whole on disk already.
            let missing = renditions.flatMap(\.files).filter { !FileManager.default.fileExists(atPath: output + "/" + $0) }
            reports.change { $0.append((renditions.map(\.segments.count), missing)) }
        }
        let seen = reports.value
        // The lowest rung, two stereo renditions and a 5.1 one.
        #expect(result.renditions.count == 4)
        #expect(seen.count >= 5, "one report per segment of 1 s: \(seen.map(\.counts))")
        for (index, report) in seen.enumerated() {
            #expect(report.counts.count == result.renditions.count)
            #expect(Set(report.counts).count == 1, "every rendition has the same count: \(report.counts)")
            #expect(report.missing.isEmpty, "\(report.missing)")
            if index > 0 { #expect(report.counts[0] > seen[index - 1].counts[0]) }
        }
        #expect(seen.first?.counts.first == 1)
        #expect(seen.last?.counts.first ?? 0 <= result.renditions.map(\.segments.count).min() ?? 0)
    }

    @Test("off unless asked: a plain transcode reports nothing")
    func quietByDefault() throws {
        let media = try TestMedia()
        let source = try media.video("plain.mp4", seconds: 2)
        let reports = Locked(0)
        _ = try Transcoder.transcode(input: source, output: media.path("out"), options: TranscodeOptions(segmentSeconds: 1, preset: "superfast")) {
            _ in
        } segments: { _ in
            reports.change { $0 += 1 }
        }
        #expect(reports.value == 0)
    }
}
