import NIOConcurrencyHelpers
import NIOCore

/// Short-lived memory for the hot path of `/streams/`: who may see a video and whether it is
/// published (saving two database reads per request), and the bytes of small files (manifests,
/// init segments) so a popular playlist is answered without touching the disk. Entries live
/// for `ttl`: a visibility change or a republished manifest shows within that time, which is
/// below what players cache manifests for anyway.
final class StreamCache: Sendable {
    struct VideoEntry {
        var visibility: String
        var published: Bool
        var expires: ContinuousClock.Instant
    }

    struct FileEntry {
        var body: ByteBuffer
        var etag: String
        var expires: ContinuousClock.Instant
    }

    let ttl: Duration
    let maxFileBytes: Int
    let maxTotalBytes: Int
    private let videos = NIOLockedValueBox<[String: VideoEntry]>([:])
    private let files = NIOLockedValueBox<(entries: [String: FileEntry], bytes: Int)>(([:], 0))

    init(ttl: Duration = .seconds(1), maxFileBytes: Int = 256 << 10, maxTotalBytes: Int = 64 << 20) {
        self.ttl = ttl
        self.maxFileBytes = maxFileBytes
        self.maxTotalBytes = maxTotalBytes
    }

    func video(_ id: String, load: () throws -> (visibility: String, published: Bool)?) rethrows -> (visibility: String, published: Bool)? {
        let now = ContinuousClock.now
        if let entry = videos.withLockedValue({ $0[id] }), entry.expires > now { return (entry.visibility, entry.published) }
        guard let loaded = try load() else {
            videos.withLockedValue { _ = $0.removeValue(forKey: id) }
            return nil
        }
        videos.withLockedValue { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[id] = VideoEntry(visibility: loaded.visibility, published: loaded.published, expires: now + ttl)
        }
        return loaded
    }

    func file(_ path: String) -> FileEntry? {
        let now = ContinuousClock.now
        guard let entry = files.withLockedValue({ $0.entries[path] }), entry.expires > now else { return nil }
        return entry
    }

    func store(_ path: String, body: ByteBuffer, etag: String) {
        guard body.readableBytes <= maxFileBytes else { return }
        files.withLockedValue { cache in
            if cache.bytes + body.readableBytes > maxTotalBytes {
                cache = ([:], 0)  // crude but bounded: start over rather than track recency
            }
            cache.bytes += body.readableBytes - (cache.entries[path]?.body.readableBytes ?? 0)
            cache.entries[path] = FileEntry(body: body, etag: etag, expires: ContinuousClock.now + ttl)
        }
    }
}
