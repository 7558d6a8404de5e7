import Foundation

/// Knows how many whole segments each rendition of a progressive transcode has, and says
/// when every rendition has one more: the moment the first `count` segments of all of them can
/// be published together (a player needs the video and the audio of a segment before it can
/// play it). Writers report from their own threads (video rungs encode on theirs, audio on
/// the reading thread); `advance` runs under the board's lock, so its calls are ordered and
/// never overlap.
final class SegmentBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    private var announced = 0
    private let advance: (Int) -> Void

    init(advance: @escaping (Int) -> Void) {
        self.advance = advance
    }

    /// A rendition whose segments count; register every one before the first segment is cut.
    func register(_ id: String) {
        lock.withLock { counts[id] = counts[id] ?? 0 }
    }

    /// Rendition `id` now has `count` whole segments.
    func cut(_ id: String, count: Int) {
        lock.withLock {
            guard counts[id] != nil else { return }
            counts[id] = count
            let whole = counts.values.min() ?? 0
            guard whole > announced else { return }
            announced = whole
            advance(whole)
        }
    }
}
