import Foundation
import NIOConcurrencyHelpers

/// The behaviour every `kinora.storage/1` instance must show, whatever its backend. Run it on
/// an EMPTY instance with `kinora plugin conformance INSTANCE`, or from a plugin's own tests,
/// each case against a fresh, empty instance:
///
/// ```swift
/// @Test(arguments: StorageConformance.cases)
/// func conformance(_ check: StorageConformance.Case) async throws {
///     let storage = try makeMyStorageInstance()
///     try await check.run(storage)
/// }
/// ```
public enum StorageConformance {
    /// One named behaviour, runnable alone so `--case` and test arguments can pick it.
    ///
    /// ```swift
    /// for check in StorageConformance.cases where !check.measuresMemory {
    ///     try await check.run(storage)
    ///     print("✔ \(check.name): \(check.description)")
    /// }
    /// ```
    public struct Case: Sendable, CustomStringConvertible {
        /// A short name for `--case`: "round-trip", "large-object", …
        public let name: String
        public let description: String
        let body: @Sendable (StorageClient) async throws -> Void
        public func run(_ storage: StorageClient) async throws { try await body(storage) }

        /// Every case but the ones measuring this process's memory, which must run alone in a
        /// process (the CLI does that) to mean anything.
        public var measuresMemory: Bool { name == "large-object" }
    }

    public static let cases: [Case] = [
        Case(name: "round-trip", description: "put then get returns the same bytes and stat the size", body: roundTrip),
        Case(name: "ranges", description: "ranged reads return exactly the requested bytes", body: ranges),
        Case(name: "missing", description: "missing keys are not found", body: missing),
        Case(name: "remove", description: "remove deletes and is idempotent", body: removal),
        Case(name: "overwrite", description: "a second put replaces the object and its etag", body: overwrite),
        Case(name: "listing", description: "list pages through a prefix in bytewise key order", body: listing),
        Case(name: "hostile-keys", description: "hostile keys are refused", body: hostileKeys),
        Case(name: "failed-put", description: "a failed upload stores nothing and keeps the old object", body: failedPut),
        Case(name: "concurrent-writers", description: "concurrent writers to one key leave a whole object", body: concurrentWriters),
        Case(name: "large-object", description: "a 256 MiB object streams through without being held in memory", body: largeObject),
    ]

    // MARK: cases

    static func roundTrip(_ s: StorageClient) async throws {
        let bytes = Array("hello, kinora ✓".utf8)
        let info = try await s.put("conformance/hello.txt", contentType: "text/plain", bytes: bytes)
        try expect(info.size == Int64(bytes.count), "put reported size \(info.size)")
        try expect(try await s.read("conformance/hello.txt") == bytes, "get returned other bytes")
        let stat = try await s.stat("conformance/hello.txt")
        try expect(stat.size == Int64(bytes.count) && stat.key == "conformance/hello.txt", "stat: \(stat)")
        try expect(stat.etag != nil, "stat gave no etag")
        let empty = try await s.put("conformance/empty", bytes: [])
        try expect(empty.size == 0, "empty object has size \(empty.size)")
        try expect(try await s.read("conformance/empty").isEmpty, "empty object read back non-empty")
    }

    static func ranges(_ s: StorageClient) async throws {
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try await s.put("conformance/range.bin", bytes: bytes)
        for (offset, length) in [(0, 1), (1, 100), (5000, 5000), (9999, 1), (9000, nil), (100, 50_000), (10_000, nil)] as [(Int, Int?)] {
            let got = try await collect(s, "conformance/range.bin", offset: Int64(offset), length: length.map(Int64.init))
            let end = min(bytes.count, length.map { offset + $0 } ?? bytes.count)
            try expect(got == Array(bytes[offset..<end]), "range \(offset)+\(length.map(String.init) ?? "end") returned \(got.count) wrong bytes")
        }
        try await expectStatus(.invalidArgument, "offset past the end") {
            _ = try await collect(s, "conformance/range.bin", offset: 10_001, length: nil)
        }
    }

    static func missing(_ s: StorageClient) async throws {
        try await expectStatus(.notFound, "stat of a missing key") { _ = try await s.stat("conformance/nothing-here") }
        try await expectStatus(.notFound, "get of a missing key") { _ = try await s.read("conformance/nothing-here") }
    }

    static func removal(_ s: StorageClient) async throws {
        try await s.put("conformance/remove/me", bytes: [1, 2, 3])
        try await s.remove("conformance/remove/me")
        try await expectStatus(.notFound, "stat after remove") { _ = try await s.stat("conformance/remove/me") }
        try await s.remove("conformance/remove/me")
        try await s.remove("conformance/never/existed")
        let page = try await s.list(prefix: "conformance/remove/")
        try expect(page.objects.isEmpty, "removed object still listed")
    }

    static func overwrite(_ s: StorageClient) async throws {
        let first = try await s.put("conformance/over", bytes: Array(repeating: 1, count: 100))
        try await Task.sleep(for: .milliseconds(5))
        let second = try await s.put("conformance/over", bytes: Array(repeating: 2, count: 50))
        try expect(try await s.read("conformance/over") == Array(repeating: 2, count: 50), "old content after overwrite")
        try expect(first.etag != second.etag, "etag did not change on overwrite")
    }

    static func listing(_ s: StorageClient) async throws {
        // No key is a folder-prefix of another: file-system backends may refuse such pairs (see plugin.h).
        let keys =
            ["l/a+", "l/a-b", "l/a.d/b", "l/a/c/d", "l/a0", "l/b-", "l/b/x y", "l/é", "l/z/deep/er/key"]
            + (0..<20).map { "l/many/\(String(format: "%03d", $0))" }
        for key in keys.shuffled() { try await s.put(key, bytes: Array(key.utf8)) }
        try await s.put("other/a", bytes: [0])
        let expected = keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try await s.list(prefix: "l/", cursor: cursor, limit: 7)
            try expect(page.objects.count <= 7, "page larger than the limit")
            seen += page.objects.map(\.key)
            cursor = page.nextCursor
            pages += 1
            try expect(pages < 20, "listing does not terminate")
        } while cursor != nil
        try expect(seen == expected, "listing order or content differs:\n got \(seen)\nwant \(expected)")
        let partial = try await s.list(prefix: "l/a", limit: 100).objects.map(\.key)
        try expect(partial == ["l/a+", "l/a-b", "l/a.d/b", "l/a/c/d", "l/a0"], "prefix l/a listed \(partial)")
        let sizes = try await s.list(prefix: "l/b/", limit: 10).objects
        try expect(sizes.first?.size == Int64("l/b/x y".utf8.count), "listed size wrong")
    }

    static func hostileKeys(_ s: StorageClient) async throws {
        let hostile = [
            "", "/etc/passwd", "../escape", "a/../../escape", "a//b", "a/./b", "./a", "a/", "a\\b",
            String(repeating: "k", count: 1025), "..", ".",
        ]
        for key in hostile {
            try await expectStatus(.invalidArgument, "put of key \"\(key.prefix(40))\"") { try await s.put(key, bytes: [1]) }
            try await expectStatus(.invalidArgument, "get of key \"\(key.prefix(40))\"") { _ = try await s.read(key) }
            try await expectStatus(.invalidArgument, "stat of key \"\(key.prefix(40))\"") { _ = try await s.stat(key) }
            try await expectStatus(.invalidArgument, "remove of key \"\(key.prefix(40))\"") { try await s.remove(key) }
        }
        try await expectStatus(.invalidArgument, "list with prefix ../") { _ = try await s.list(prefix: "../") }
        try await expectStatus(.invalidArgument, "list with limit 0") { _ = try await s.list(prefix: "", limit: 0) }
    }

    static func failedPut(_ s: StorageClient) async throws {
        try await s.put("conformance/keep", bytes: Array(repeating: 7, count: 1000))
        struct Broken: Error {}
        let failing = ChunkSequence(chunks: 4, chunkSize: 64 * 1024, failAfter: 2)
        try await expectAnyError("a put whose body fails") { try await s.put("conformance/keep", body: failing) }
        try expect(try await s.read("conformance/keep") == Array(repeating: 7, count: 1000), "failed put damaged the old object")
        try await expectAnyError("a put of a new key whose body fails") { try await s.put("conformance/new-broken", body: failing) }
        try await expectStatus(.notFound, "stat of a key whose only put failed") { _ = try await s.stat("conformance/new-broken") }
    }

    static func concurrentWriters(_ s: StorageClient) async throws {
        let size = 1 << 20
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for _ in 0..<3 {
                        try await s.put("conformance/contended", body: ChunkSequence(chunks: 16, chunkSize: size / 16, fill: UInt8(writer + 1)))
                    }
                }
            }
            group.addTask {
                // Readers during the writes see a whole object or none, never a mixture.
                for _ in 0..<20 {
                    if let bytes = try? await s.read("conformance/contended", limit: 2 * size) {
                        try expect(bytes.count == size && Set(bytes).count == 1, "a reader saw a partial or mixed object")
                    }
                }
            }
            try await group.waitForAll()
        }
        let final = try await s.read("conformance/contended", limit: 2 * size)
        try expect(final.count == size, "final object has \(final.count) bytes")
        try expect(Set(final).count == 1, "final object mixes several writers")
    }

    static func largeObject(_ s: StorageClient) async throws {
        let chunkSize = 1 << 20
        let chunks = 256
        let body = ChunkSequence(chunks: chunks, chunkSize: chunkSize, seed: 0x5EED)
        let baseline = ResidentMemory.bytes()
        let peak = NIOLockedValueBox(baseline)
        let sampler = Task {
            while !Task.isCancelled {
                let now = ResidentMemory.bytes()
                peak.withLockedValue { $0 = max($0, now) }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        defer { sampler.cancel() }
        let info = try await s.put("conformance/large.bin", body: body)
        try expect(info.size == Int64(chunks * chunkSize), "stored size \(info.size)")
        let digest = Digest()
        try await s.get("conformance/large.bin") { digest.update($0) }
        try expect(digest.value == ChunkSequence.digest(chunks: chunks, chunkSize: chunkSize, seed: 0x5EED), "streamed bytes differ")
        // A range in the middle, crossing chunk boundaries.
        let middle = Digest()
        try await s.get("conformance/large.bin", offset: Int64(chunkSize * 100 + 12345), length: Int64(chunkSize * 3)) { middle.update($0) }
        try expect(middle.count == chunkSize * 3, "ranged read returned \(middle.count) bytes")
        let growth = peak.withLockedValue { $0 } - baseline
        try expect(growth < 96 << 20, "resident memory grew by \(growth >> 20) MiB while streaming 256 MiB")
        try await s.remove("conformance/large.bin")
    }

    // MARK: helpers

    static func collect(_ s: StorageClient, _ key: String, offset: Int64, length: Int64?) async throws -> [UInt8] {
        let box = NIOLockedValueBox<[UInt8]>([])
        try await s.get(key, offset: offset, length: length) { chunk in box.withLockedValue { $0.append(contentsOf: chunk) } }
        return box.withLockedValue { $0 }
    }

    static func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw ConformanceFailure(message()) }
    }

    static func expectStatus(_ status: PluginStatusCode, _ what: String, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as PluginCallError {
            try expect(error.status == status, "\(what): expected \(status), got \(error)")
            return
        }
        throw ConformanceFailure("\(what): expected \(status), but it succeeded")
    }

    static func expectAnyError(_ what: String, _ body: () async throws -> Void) async throws {
        do { try await body() } catch { return }
        throw ConformanceFailure("\(what): expected an error, but it succeeded")
    }
}

/// A conformance case that did not hold, with what was observed, so the report says more
/// than "failed".
///
/// ```swift
/// guard bytes == expected else { throw ConformanceFailure("get returned \(bytes.count) bytes") }
/// ```
public struct ConformanceFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Resident memory of this process, read from `/proc/self/statm` (0 where it is missing), so
/// the large-object case can check that streaming does not buffer the object.
///
/// ```swift
/// let baseline = ResidentMemory.bytes()
/// try await storage.put("conformance/large.bin", body: body)
/// let growth = ResidentMemory.bytes() - baseline
/// ```
public enum ResidentMemory {
    public static func bytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }
}
