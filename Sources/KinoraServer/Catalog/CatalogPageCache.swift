import KinoraStore
import Metrics
import NIOConcurrencyHelpers
import NIOCore

/// The encoded bytes of public listing pages (`GET /api/v1/videos` without `owner` or `all`,
/// the same for every caller), kept while nothing a listing shows has been committed since
/// (``CatalogChanges``) and for a second at most: what is time-bound rather than written (a
/// scheduled video's release, a running job's ETA) shows within that second, as with the
/// stream caches. A hit costs no database read and no JSON encoding, which is most of a
/// listing's CPU, so a home page under load leaves the cores to the rest (a fan-out, a
/// transcode). Nothing is kept on PostgreSQL, where other nodes write unseen.
final class CatalogPageCache: Sendable {
    struct Entry {
        var body: ByteBuffer
        var generation: UInt64
        var expires: ContinuousClock.Instant
    }

    let ttl: Duration
    /// Distinct pages kept (each at most a hundred videos' JSON); past it, start over.
    let maxEntries: Int
    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    /// `kinora_catalog_page_cache_total{result="hit"|"miss"}`: how often the cache saves the work.
    private let hits = Counter(label: "kinora_catalog_page_cache_total", dimensions: [("result", "hit")])
    private let misses = Counter(label: "kinora_catalog_page_cache_total", dimensions: [("result", "miss")])

    init(ttl: Duration = .seconds(1), maxEntries: Int = 256) {
        self.ttl = ttl
        self.maxEntries = maxEntries
    }

    /// The page for `key` (the request's query string), from memory when still current, else
    /// made by `make` and kept. `generation` is ``CatalogChanges/generation`` read before
    /// `make` reads the database, so a commit landing meanwhile leaves the entry already stale.
    func page(key: String, generation: UInt64?, make: () throws -> ByteBuffer) rethrows -> ByteBuffer {
        guard let generation else { return try make() }
        let now = ContinuousClock.now
        if let entry = entries.withLockedValue({ $0[key] }), entry.generation == generation, entry.expires > now {
            hits.increment()
            return entry.body
        }
        misses.increment()
        let body = try make()
        entries.withLockedValue { cache in
            if cache.count >= maxEntries, cache[key] == nil { cache.removeAll(keepingCapacity: true) }
            cache[key] = Entry(body: body, generation: generation, expires: now + ttl)
        }
        return body
    }
}
