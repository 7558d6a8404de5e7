import KinoraMediaContract
import KinoraStore
import NIOConcurrencyHelpers
import NIOCore

/// Short-lived memory for the hot path of `/streams/`: who may see a video and whether it is
/// published (saving two database reads per request), and the bytes of files (manifests, init
/// and media segments) so a popular one is answered from memory, not read per request. Entries
/// live for `ttl`: a visibility change, a republished manifest or a re-transcoded segment shows
/// within that time, which is below what players cache manifests for anyway.
final class StreamCache: Sendable {
    /// What deciding who may fetch a video's files needs. A class: every request of a hot
    /// video shares one, where copying the record retained each of its strings, on every core.
    final class VideoAccessInfo: Sendable {
        let video: VideoRecord
        let published: Bool

        init(video: VideoRecord, published: Bool) {
            self.video = video
            self.published = published
        }
    }

    struct VideoEntry {
        var info: VideoAccessInfo
        var expires: ContinuousClock.Instant
    }

    struct FileEntry {
        var body: ByteBuffer
        var etag: String
        var expires: ContinuousClock.Instant
    }

    let ttl: Duration
    /// Appended to a manifest's key for its gzipped bytes (a key can hold no NUL).
    static let gzipSuffix = "\u{0}gzip"
    let maxFileBytes: Int
    let maxTotalBytes: Int
    private let videos = NIOLockedValueBox<[String: VideoEntry]>([:])
    private let files = NIOLockedValueBox<(entries: [String: FileEntry], bytes: Int)>(([:], 0))

    init(ttl: Duration = .seconds(1), maxFileBytes: Int = 16 << 20, maxTotalBytes: Int = 128 << 20) {
        self.ttl = ttl
        self.maxFileBytes = maxFileBytes
        self.maxTotalBytes = maxTotalBytes
    }

    func video(_ id: String, load: () throws -> VideoAccessInfo?) rethrows -> VideoAccessInfo? {
        let now = ContinuousClock.now
        if let entry = videos.withLockedValue({ $0[id] }), entry.expires > now { return entry.info }
        guard let loaded = try load() else {
            videos.withLockedValue { _ = $0.removeValue(forKey: id) }
            return nil
        }
        videos.withLockedValue { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[id] = VideoEntry(info: loaded, expires: now + ttl)
        }
        return loaded
    }

    /// The fresh entry for `id`, never loading one: for the event loop, which must not read
    /// the database.
    func cachedVideo(_ id: String) -> VideoAccessInfo? {
        guard let entry = videos.withLockedValue({ $0[id] }), entry.expires > ContinuousClock.now else { return nil }
        return entry.info
    }

    func file(_ path: String) -> FileEntry? {
        let now = ContinuousClock.now
        guard let entry = files.withLockedValue({ $0.entries[path] }), entry.expires > now else { return nil }
        return entry
    }

    /// Drops everything held about a video (its access and its files): another node (or this
    /// one) changed it, so the second the entries would live is not waited for.
    func forget(videoID: String) {
        videos.withLockedValue { _ = $0.removeValue(forKey: videoID) }
        let folder = VideoObjects(videoID).folder
        files.withLockedValue { cache in
            let gone = cache.entries.filter { $0.key.hasPrefix(folder) }
            guard !gone.isEmpty else { return }
            for (key, entry) in gone {
                cache.entries[key] = nil
                cache.bytes -= entry.body.readableBytes
            }
        }
    }

    func store(_ path: String, body: ByteBuffer, etag: String) {
        guard body.readableBytes <= maxFileBytes, body.readableBytes <= maxTotalBytes else { return }
        let now = ContinuousClock.now
        files.withLockedValue { cache in
            if cache.bytes + body.readableBytes > maxTotalBytes {
                // Expired entries go first; if that is not enough, start over: bounded, and
                // cheaper than tracking recency, since every entry lives a second at most.
                cache.entries = cache.entries.filter { $0.value.expires > now }
                cache.bytes = cache.entries.values.reduce(0) { $0 + $1.body.readableBytes }
                if cache.bytes + body.readableBytes > maxTotalBytes { cache = ([:], 0) }
            }
            cache.bytes += body.readableBytes - (cache.entries[path]?.body.readableBytes ?? 0)
            cache.entries[path] = FileEntry(body: body, etag: etag, expires: now + ttl)
        }
    }
}
