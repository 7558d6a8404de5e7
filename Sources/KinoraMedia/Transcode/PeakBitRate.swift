/// A rendition's declared peak bit rate (`BANDWIDTH`), by the rule of Apple's HLS Authoring
/// Specification (1.27) and its validator: the largest bit rate of any run of consecutive
/// segments lasting 0.5 to 1.5 target durations. One short segment alone (the last one,
/// usually) is not such a run, so it no longer inflates the figure; a rendition shorter than
/// half a target duration has no run and declares its whole average.
public enum PeakBitRate {
    /// The target duration players are given: the longest segment in whole seconds, rounded
    /// as EXTINF values are (RFC 8216: every rounded EXTINF at most the target), at least 1.
    public static func targetDuration(_ segments: [Rendition.Segment], timescale: Int64) -> Int64 {
        guard timescale > 0 else { return 1 }
        let longest = segments.map { Double($0.duration) / Double(timescale) }.max() ?? 0
        return max(1, Int64(longest.rounded()))
    }

    public static func apple(_ segments: [Rendition.Segment], timescale: Int64) -> Int64 {
        guard timescale > 0, !segments.isEmpty else { return 0 }
        let target = Double(targetDuration(segments, timescale: timescale) * timescale)
        var peak: Int64?
        for first in segments.indices {
            var bytes: Int64 = 0
            var ticks: Int64 = 0
            for segment in segments[first...] {
                bytes += segment.size
                ticks += segment.duration
                if Double(ticks) > 1.5 * target { break }
                if Double(ticks) >= 0.5 * target { peak = max(peak ?? 0, rate(bytes, ticks, timescale: timescale)) }
            }
        }
        return peak ?? rate(segments.reduce(0) { $0 + $1.size }, segments.reduce(0) { $0 + $1.duration }, timescale: timescale)
    }

    /// Bits per second, rounded up.
    public static func rate(_ bytes: Int64, _ ticks: Int64, timescale: Int64) -> Int64 {
        ticks > 0 ? Int64((Double(bytes) * 8 * Double(timescale) / Double(ticks)).rounded(.up)) : 0
    }
}
