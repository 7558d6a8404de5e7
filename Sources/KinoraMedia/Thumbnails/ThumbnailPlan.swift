/// Where the thumbnails come from and how big they are, decided from the video's duration and
/// displayed size before the first frame arrives.
struct ThumbnailPlan: Equatable {
    /// Seconds between trickplay tiles: dense enough to scrub a short clip, at most ~180
    /// tiles (two sheets) for a long one.
    let interval: Double
    let tileWidth: Int
    let tileHeight: Int
    let columns = 10
    let rows = 10
    /// Seconds at which a candidate poster frame is taken.
    let candidateTimes: [Double]
    /// Candidates and the poster: the long side at most this many pixels, never upscaled.
    static let posterLongSide = 1280
    static let tileLongSide = 160
    /// Card pictures: the common 320x180 of video sites' grids, ~6 KB instead of a ~60 KB
    /// poster, so a page of cards (the watch page's up-next list too) stays light.
    static let cardLongSide = 320

    init(duration: Double, width: Int, height: Int) {
        let known = duration.isFinite && duration > 0 ? duration : 0
        interval = Self.interval(for: known)
        (tileWidth, tileHeight) = Self.fit(width: width, height: height, longSide: Self.tileLongSide)
        candidateTimes = known > 0 ? [0.1, 0.3, 0.5, 0.7, 0.9].map { $0 * known } : [0]
    }

    static func interval(for duration: Double) -> Double {
        switch duration {
        case ..<120: 2
        case ..<600: 5
        case ..<1800: 10
        default: (duration / 180).rounded(.up)
        }
    }

    /// `width`x`height` scaled so the long side is at most `longSide`, both even and ≥ 2.
    static func fit(width: Int, height: Int, longSide: Int) -> (Int, Int) {
        let w = max(2, width), h = max(2, height)
        let scale = min(1, Double(longSide) / Double(max(w, h)))
        func even(_ value: Double) -> Int { max(2, Int((value / 2).rounded()) * 2) }
        return (even(Double(w) * scale), even(Double(h) * scale))
    }

    /// Tiles per sprite sheet.
    var tilesPerSheet: Int { columns * rows }
}
