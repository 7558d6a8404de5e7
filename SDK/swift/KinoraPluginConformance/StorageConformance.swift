import Dispatch
import KinoraPluginABI
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The behaviour every `kinora.storage/1` instance must show, whatever its backend. Each case
/// expects an EMPTY instance and may leave objects behind: call
/// ``StorageDriver/removeEverything()`` between cases, or give each case a fresh instance.
///
/// ```swift
/// @Test(arguments: StorageConformance.cases.filter { !$0.measuresMemory })
/// func storage(_ check: ConformanceCase) async throws {
///     let instance = try host.start(pluginID: "org.example.storage-memory")
///     defer { instance.close() }
///     try await check.run(instance.plugin)
/// }
/// ```
public enum StorageConformance {
    static func make(_ name: String, _ summary: String, _ body: @escaping @Sendable (StorageDriver) throws -> Void) -> ConformanceCase {
        ConformanceCase(interface: KN_STORAGE_ID, name: name, summary: summary) { plugin in try body(try StorageDriver(plugin)) }
    }

    public static let cases: [ConformanceCase] = [
        make("round-trip", "put then get returns the same bytes and stat the size", roundTrip),
        make("ranges", "ranged reads return exactly the requested bytes", ranges),
        make("missing", "missing keys are not found", missing),
        make("remove", "remove deletes and is idempotent", removal),
        make("overwrite", "a second put replaces the object and its etag", overwrite),
        make("listing", "list pages through a prefix in bytewise key order", listing),
        make("hostile-keys", "hostile keys are refused", hostileKeys),
        make("failed-put", "a failed upload stores nothing and keeps the old object", failedPut),
        make("concurrent-writers", "concurrent writers to one key leave a whole object", concurrentWriters),
        make("large-object", "a 256 MiB object streams through without being held in memory", largeObject),
    ]

    static func roundTrip(_ s: StorageDriver) throws {
        let bytes = Array("hello, kinora ✓".utf8)
        let info = try s.put("conformance/hello.txt", contentType: "text/plain", bytes: bytes)
        try expect(info.size == Int64(bytes.count), "put reported size \(info.size)")
        try expect(try s.read("conformance/hello.txt") == bytes, "get returned other bytes")
        let stat = try s.stat("conformance/hello.txt")
        try expect(stat.size == Int64(bytes.count) && stat.key == "conformance/hello.txt", "stat: \(stat)")
        try expect(stat.etag != nil, "stat gave no etag")
        let empty = try s.put("conformance/empty", bytes: [])
        try expect(empty.size == 0, "empty object has size \(empty.size)")
        try expect(try s.read("conformance/empty").isEmpty, "empty object read back non-empty")
    }

    static func collect(_ s: StorageDriver, _ key: String, offset: Int64, length: Int64?) throws -> [UInt8] {
        let collected = Collected()
        try s.get(key, offset: offset, length: length) { collected.bytes.append(contentsOf: $0) }
        return collected.bytes
    }

    static func ranges(_ s: StorageDriver) throws {
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try s.put("conformance/range.bin", bytes: bytes)
        for (offset, length) in [(0, 1), (1, 100), (5000, 5000), (9999, 1), (9000, nil), (100, 50_000), (10_000, nil)] as [(Int, Int?)] {
            let got = try collect(s, "conformance/range.bin", offset: Int64(offset), length: length.map(Int64.init))
            let end = min(bytes.count, length.map { offset + $0 } ?? bytes.count)
            try expect(got == Array(bytes[offset..<end]), "range \(offset)+\(length.map(String.init) ?? "end") returned \(got.count) wrong bytes")
        }
        try expectStatus(KN_E_INVALID_ARGUMENT, "offset past the end") {
            _ = try collect(s, "conformance/range.bin", offset: 10_001, length: nil)
        }
    }

    static func missing(_ s: StorageDriver) throws {
        try expectStatus(KN_E_NOT_FOUND, "stat of a missing key") { _ = try s.stat("conformance/nothing-here") }
        try expectStatus(KN_E_NOT_FOUND, "get of a missing key") { _ = try s.read("conformance/nothing-here") }
    }

    static func removal(_ s: StorageDriver) throws {
        try s.put("conformance/remove/me", bytes: [1, 2, 3])
        try s.remove("conformance/remove/me")
        try expectStatus(KN_E_NOT_FOUND, "stat after remove") { _ = try s.stat("conformance/remove/me") }
        try s.remove("conformance/remove/me")
        try s.remove("conformance/never/existed")
        try expect(try s.list(prefix: "conformance/remove/").objects.isEmpty, "removed object still listed")
    }

    static func overwrite(_ s: StorageDriver) throws {
        let first = try s.put("conformance/over", bytes: Array(repeating: 1, count: 100))
        usleep(5000)  // a backend whose etag includes a time still sees two different writes
        let second = try s.put("conformance/over", bytes: Array(repeating: 2, count: 50))
        try expect(try s.read("conformance/over") == Array(repeating: 2, count: 50), "old content after overwrite")
        try expect(first.etag != second.etag, "etag did not change on overwrite")
    }

    static func listing(_ s: StorageDriver) throws {
        // No key is a folder-prefix of another: file-system backends may refuse such pairs (see plugin.h).
        let numbered = (0..<20).map { i in "l/many/" + String(repeating: "0", count: i < 10 ? 2 : 1) + String(i) }
        let keys = ["l/a+", "l/a-b", "l/a.d/b", "l/a/c/d", "l/a0", "l/b-", "l/b/x y", "l/é", "l/z/deep/er/key"] + numbered
        for key in keys.shuffled() { try s.put(key, bytes: Array(key.utf8)) }
        try s.put("other/a", bytes: [0])
        let expected = keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try s.list(prefix: "l/", cursor: cursor, limit: 7)
            try expect(page.objects.count <= 7, "page larger than the limit")
            seen += page.objects.map(\.key)
            cursor = page.nextCursor
            pages += 1
            try expect(pages < 20, "listing does not terminate")
        } while cursor != nil
        try expect(seen == expected, "listing order or content differs:\n got \(seen)\nwant \(expected)")
        let partial = try s.list(prefix: "l/a", limit: 100).objects.map(\.key)
        try expect(partial == ["l/a+", "l/a-b", "l/a.d/b", "l/a/c/d", "l/a0"], "prefix l/a listed \(partial)")
        let sizes = try s.list(prefix: "l/b/", limit: 10).objects
        try expect(sizes.first?.size == Int64("l/b/x y".utf8.count), "listed size wrong")
    }

    static func hostileKeys(_ s: StorageDriver) throws {
        let hostile = [
            "", "/etc/passwd", "../escape", "a/../../escape", "a//b", "a/./b", "./a", "a/", "a\\b", String(repeating: "k", count: 1025), "..", ".",
        ]
        for key in hostile {
            let shown = "\"\(key.prefix(40))\""
            try expectStatus(KN_E_INVALID_ARGUMENT, "put of key \(shown)") { try s.put(key, bytes: [1]) }
            try expectStatus(KN_E_INVALID_ARGUMENT, "get of key \(shown)") { _ = try s.read(key) }
            try expectStatus(KN_E_INVALID_ARGUMENT, "stat of key \(shown)") { _ = try s.stat(key) }
            try expectStatus(KN_E_INVALID_ARGUMENT, "remove of key \(shown)") { try s.remove(key) }
        }
        try expectStatus(KN_E_INVALID_ARGUMENT, "list with prefix ../") { _ = try s.list(prefix: "../") }
        try expectStatus(KN_E_INVALID_ARGUMENT, "list with limit 0") { _ = try s.list(prefix: "", limit: 0) }
    }

    static func failedPut(_ s: StorageDriver) throws {
        try s.put("conformance/keep", bytes: Array(repeating: 7, count: 1000))
        let failing = { ChunkSource(chunks: 4, chunkSize: 64 * 1024, failAfter: 2) }
        try expectFailure("a put whose body fails") { try s.put("conformance/keep", source: failing()) }
        try expect(try s.read("conformance/keep") == Array(repeating: 7, count: 1000), "failed put damaged the old object")
        try expectFailure("a put of a new key whose body fails") { try s.put("conformance/new-broken", source: failing()) }
        try expectStatus(KN_E_NOT_FOUND, "stat of a key whose only put failed") { _ = try s.stat("conformance/new-broken") }
    }

    static func expectFailure(_ what: String, _ body: () throws -> Void) throws {
        do { try body() } catch is PluginCallFailure { return }
        throw ConformanceFailure("\(what): expected an error, but it succeeded")
    }

    static func concurrentWriters(_ s: StorageDriver) throws {
        let size = 1 << 20
        let problems = Mutex<[String]>([])
        // Eight writers and one reader at once; readers see a whole object or none, never a mixture.
        DispatchQueue.concurrentPerform(iterations: 9) { worker in
            do {
                if worker < 8 {
                    for _ in 0..<3 {
                        try s.put("conformance/contended", source: ChunkSource(chunks: 16, chunkSize: size / 16, fill: UInt8(worker + 1)))
                    }
                } else {
                    for _ in 0..<20 {
                        if let bytes = try? s.read("conformance/contended", limit: 2 * size) {
                            try expect(bytes.count == size && Set(bytes).count == 1, "a reader saw a partial or mixed object")
                        }
                    }
                }
            } catch {
                problems.withLock { $0.append("\(error)") }
            }
        }
        if let first = problems.withLock({ $0.first }) { throw ConformanceFailure(first) }
        let final = try s.read("conformance/contended", limit: 2 * size)
        try expect(final.count == size, "final object has \(final.count) bytes")
        try expect(Set(final).count == 1, "final object mixes several writers")
    }

    static func largeObject(_ s: StorageDriver) throws {
        let chunkSize = 1 << 20
        let chunks = 256
        let baseline = ResidentMemory.bytes()
        let peak = Mutex(baseline)
        let stop = Mutex(false)
        let sampler = DispatchSemaphore(value: 0)
        Thread.detach {
            while !stop.withLock({ $0 }) {
                let now = ResidentMemory.bytes()
                peak.withLock { $0 = max($0, now) }
                usleep(20_000)
            }
            sampler.signal()
        }
        defer {
            stop.withLock { $0 = true }
            sampler.wait()
        }
        let info = try s.put("conformance/large.bin", source: ChunkSource(chunks: chunks, chunkSize: chunkSize, seed: 0x5EED))
        try expect(info.size == Int64(chunks * chunkSize), "stored size \(info.size)")
        let digest = Digest()
        try s.get("conformance/large.bin") { digest.update($0) }
        try expect(digest.value == TestData.digest(chunks: chunks, chunkSize: chunkSize, seed: 0x5EED), "streamed bytes differ")
        // A range in the middle, crossing chunk boundaries.
        let middle = Digest()
        try s.get("conformance/large.bin", offset: Int64(chunkSize * 100 + 12345), length: Int64(chunkSize * 3)) { middle.update($0) }
        try expect(middle.count == chunkSize * 3, "ranged read returned \(middle.count) bytes")
        let growth = peak.withLock { $0 } - baseline
        try expect(growth < 96 << 20, "resident memory grew by \(growth >> 20) MiB while streaming 256 MiB")
        try s.remove("conformance/large.bin")
    }
}
