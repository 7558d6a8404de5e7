import Foundation
import KinoraHost
import KinoraMediaContract

/// A caption track cut on the media's segment boundaries, in the two forms players expect:
/// WebVTT segments with `X-TIMESTAMP-MAP` for HLS (RFC 8216 §3.5), and fMP4 `wvtt` segments
/// for DASH (``WVTTTrack``). Both are written beside the track's manifests
/// (`text-<lang>/seg-00001.vtt`, `text-<lang>/init.mp4`, `text-<lang>/seg-00001.m4s`) each
/// time the video is published, from the uploaded file, so the cut always matches the
/// published timeline, and a track stored before cutting existed is cut at its next publish.
public enum CaptionCuts {
    /// Our media timelines start at 0 (the worker's edit lists make audio and video begin
    /// there), so cue time 0 is media time 0.
    public static let timestampMap = "X-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000"

    /// One file to store, relative to the video's folder.
    public struct File: Sendable, Equatable {
        public var path: String
        public var contentType: String
        public var bytes: [UInt8]
    }

    /// The files of a cut, and what the presentation says of them.
    public struct Cut: Sendable, Equatable {
        public var files: [File]
        public var vttSegments: Presentation.TextSegments
        public var mp4: Presentation.TextSegments
    }

    /// Segment boundaries in milliseconds, from 0 to the end: the first video rendition's
    /// (every rung is cut at the same instants), else the first audio rendition's, else one
    /// segment lasting `duration` seconds.
    public static func boundaries(_ renditions: [Rendition], duration: Double) -> [Int64] {
        let timed = renditions.filter { $0.timescale > 0 && !$0.segments.isEmpty }
        guard let r = timed.first(where: { $0.type == .video }) ?? timed.first else {
            return [0, max(1, Int64((duration * 1000).rounded()))]
        }
        func ms(_ ticks: Int64) -> Int64 { (ticks * 1000 + r.timescale / 2) / r.timescale }
        var edges: [Int64] = [0]
        for s in r.segments {
            for edge in [ms(s.start), ms(s.start + s.duration)] where edge > edges[edges.count - 1] { edges.append(edge) }
        }
        return edges.count > 1 ? edges : [0, max(1, Int64((duration * 1000).rounded()))]
    }

    /// The most one cut may write, both protocols' segments together: 32 times the largest
    /// file. An ordinary file's cut is a few times its size (each cue once per segment it
    /// spans, plus a header per segment); a hostile one, a 2 MiB cue across every segment of a
    /// long video or thousands of cues shown at once, would write gigabytes at each publish.
    public static let maxCutBytes = 32 * Captions.maxBytes

    /// A cut refused for what it would write (``maxCutBytes``); the publisher then names the
    /// uploaded file whole, as it did before cutting existed.
    public struct TooLarge: Error, Equatable, CustomStringConvertible {
        public var limit: Int

        public init(limit: Int) { self.limit = limit }

        public var description: String { "cutting these captions on the media's segments would write more than \(limit) bytes" }
    }

    /// Cuts `bytes` (a WebVTT file that passed validation) for the track with presentation
    /// id `trackID`, on `boundaries` (at least two, increasing). Throws the file's
    /// ``WebVTTValidator/Failure`` when it does not validate, ``TooLarge`` past ``maxCutBytes``.
    public static func cut(_ bytes: [UInt8], trackID: String, language: String, boundaries: [Int64]) throws -> Cut {
        let cues = try WebVTTCue.parse(bytes)
        var files: [File] = []
        var vtt: [Rendition.Segment] = [], mp4: [Rendition.Segment] = []
        let initPath = "\(trackID)/init.mp4"
        files.append(File(path: initPath, contentType: "application/mp4", bytes: WVTTTrack.initSegment(language: language)))
        var budget = maxCutBytes
        let last = boundaries.count - 2
        for (k, (start, end)) in zip(boundaries, boundaries.dropFirst()).enumerated() {
            let number = String(k + 1)
            let name = "\(trackID)/seg-" + String(repeating: "0", count: max(0, 5 - number.count)) + number
            // Cues past the media's end stay in the last segment rather than vanish.
            let overlapping = cues.filter { cue in
                (cue.start < end || k == last) && (cue.end > start || (cue.start == cue.end && cue.start >= start))
            }
            var text = "WEBVTT\n" + timestampMap + "\n"
            for cue in overlapping { text += "\n" + cue.text + "\n" }
            // One segment's text is at most the file's; it is the repetition that is bounded.
            let vttBytes = Array(text.utf8)
            budget -= vttBytes.count
            guard budget >= 0 else { throw TooLarge(limit: maxCutBytes) }
            guard let mp4Bytes = WVTTTrack.mediaSegment(overlapping, start: start, end: end, sequence: UInt32(k + 1), budget: &budget) else {
                throw TooLarge(limit: maxCutBytes)
            }
            files.append(File(path: name + ".vtt", contentType: "text/vtt", bytes: vttBytes))
            files.append(File(path: name + ".m4s", contentType: "application/mp4", bytes: mp4Bytes))
            vtt.append(Rendition.Segment(uri: name + ".vtt", start: start, duration: end - start, size: Int64(vttBytes.count)))
            mp4.append(Rendition.Segment(uri: name + ".m4s", start: start, duration: end - start, size: Int64(mp4Bytes.count)))
        }
        return Cut(
            files: files,
            vttSegments: Presentation.TextSegments(timescale: Int64(WVTTTrack.timescale), segments: vtt),
            mp4: Presentation.TextSegments(codecs: "wvtt", timescale: Int64(WVTTTrack.timescale), init: initPath, segments: mp4))
    }

    /// Cuts the stored file of each track and stores the cut, returning the tracks with
    /// their segments named. A track whose file cannot be read or cut is published as
    /// before, the whole file (players still show it; HLS without the timestamp map).
    public static func attach(
        _ tracks: [Presentation.TextTrack], renditions: [Rendition], video: String, storage: StorageClient
    ) async throws -> [Presentation.TextTrack] {
        let objects = VideoObjects(video)
        var result: [Presentation.TextTrack] = []
        for var track in tracks {
            let edges = boundaries(renditions, duration: track.duration)
            guard let bytes = try? await storage.read(objects.key(track.uri), limit: Captions.maxBytes + 3),
                let cut = try? cut(bytes, trackID: track.id, language: track.language, boundaries: edges)
            else {
                result.append(track)
                continue
            }
            for file in cut.files { try await storage.put(objects.key(file.path), contentType: file.contentType, bytes: file.bytes) }
            track.vttSegments = cut.vttSegments
            track.mp4 = cut.mp4
            result.append(track)
        }
        return result
    }
}
