import Dispatch
import KinoraPluginABI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One named behaviour of one interface, runnable alone (`kinora plugin conformance --case
/// NAME`, or a test argument).
///
/// ```swift
/// @Test(arguments: StorageConformance.cases.filter { !$0.measuresMemory })
/// func conformance(_ check: ConformanceCase) async throws {
///     let instance = try host.start(pluginID: "org.example.storage-memory")
///     defer { instance.close() }
///     try await check.run(instance.plugin)
/// }
/// ```
public struct ConformanceCase: Sendable, CustomStringConvertible {
    /// The interface it checks: "kinora.storage/1", "kinora.packager/1", "kinora.moderation/1",
    /// "kinora.moderation.feedback/1", "kinora.notify/1".
    public let interface: String
    /// A short name for `--case`: "round-trip", "deterministic", …
    public let name: String
    /// What a passing plugin does, in one line.
    public let summary: String
    let body: @Sendable (PluginUnderTest) throws -> Void

    public init(interface: String, name: String, summary: String, body: @escaping @Sendable (PluginUnderTest) throws -> Void) {
        self.interface = interface
        self.name = name
        self.summary = summary
        self.body = body
    }

    public var description: String { name }

    /// Cases that measure this process's resident memory mean something only when nothing
    /// else runs in the process (the CLI runs them that way).
    public var measuresMemory: Bool { interface == KN_STORAGE_ID && name == "large-object" }

    /// Runs the case on the calling thread; it blocks on the plugin's completions.
    ///
    /// - Throws: ``ConformanceFailure`` saying what did not hold, or the ``PluginCallFailure``
    ///   of a call that should have succeeded.
    public func runBlocking(_ plugin: PluginUnderTest) throws { try body(plugin) }

    /// Runs the case on a thread of its own, so a Swift concurrency caller never blocks a
    /// cooperative thread on a plugin's completion.
    public func run(_ plugin: PluginUnderTest) async throws {
        let body = self.body
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread.detach { continuation.resume(with: Result { try body(plugin) }) }
        }
    }
}

/// Every suite, and the cases that apply to an instance.
///
/// ```swift
/// let plugin = PluginUnderTest(raw)
/// for check in Conformance.cases(for: plugin) {
///     do { try await check.run(plugin); print("✔ \(check.name)") } catch { print("✘ \(check.name): \(error)") }
/// }
/// ```
public enum Conformance {
    /// Each interface with a suite, and the suite.
    public static let suites: [(interface: String, cases: [ConformanceCase])] = [
        (KN_STORAGE_ID, StorageConformance.cases),
        (KN_PACKAGER_ID, PackagerConformance.cases),
        (KN_PACKAGER_GROWING_ID, PackagerConformance.growingCases),
        (KN_MODERATION_ID, ModerationConformance.cases),
        (KN_MODERATION_FEEDBACK_ID, ModerationConformance.feedbackCases),
        (KN_NOTIFY_ID, NotifyConformance.cases),
    ]

    /// The cases of every suite whose interface the instance's descriptor declares, in
    /// suite order.
    public static func cases(for plugin: PluginUnderTest) -> [ConformanceCase] {
        let declared = Set(plugin.interfaces)
        return suites.filter { declared.contains($0.interface) }.flatMap(\.cases)
    }
}

/// A conformance case that did not hold, with what was observed.
///
/// ```swift
/// guard bytes == expected else { throw ConformanceFailure("get returned \(bytes.count) bytes") }
/// ```
public struct ConformanceFailure: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw ConformanceFailure(message()) }
}

/// Runs `body` and requires it to fail with one of `statuses`.
func expectStatus(_ statuses: [kn_status_t], _ what: String, _ body: () throws -> Void) throws {
    let names = statuses.map { String(cString: kn_status_string($0)) }.joined(separator: " or ")
    do {
        try body()
    } catch let error as PluginCallFailure {
        try expect(statuses.contains(error.status), "\(what): expected \(names), got \(error)")
        return
    }
    throw ConformanceFailure("\(what): expected \(names), but it succeeded")
}

func expectStatus(_ status: kn_status_t, _ what: String, _ body: () throws -> Void) throws {
    try expectStatus([status], what, body)
}

/// A plain thread, so blocking waits never occupy Swift's cooperative pool.
enum Thread {
    final class Job {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    static func detach(_ body: @escaping () -> Void) {
        var thread = pthread_t()
        let job = Unmanaged.passRetained(Job(body)).toOpaque()
        let started = pthread_create(
            &thread, nil,
            { arg in
                let job = Unmanaged<Job>.fromOpaque(arg!).takeRetainedValue()
                job.body()
                return nil
            }, job)
        if started == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<Job>.fromOpaque(job).takeRetainedValue().body()
        }
    }
}

/// Deterministic test data and an order-sensitive checksum, so gigabytes can be checked
/// without keeping them.
public enum TestData {
    /// Chunk `index` of the stream named by `seed` (xorshift words; a tail shorter than a
    /// word is filled with its offsets).
    public static func chunk(_ index: Int, size: Int, seed: UInt64) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var state = seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15
            let words = size / 8
            UnsafeMutableRawPointer(buffer.baseAddress!).withMemoryRebound(to: UInt64.self, capacity: words) { w in
                for i in 0..<words {
                    state ^= state << 13
                    state ^= state >> 7
                    state ^= state << 17
                    w[i] = state
                }
            }
            for i in (words * 8)..<size { buffer[i] = UInt8(truncatingIfNeeded: i) }
            count = size
        }
    }

    /// The checksum of the whole stream, computed chunk by chunk.
    public static func digest(chunks: Int, chunkSize: Int, seed: UInt64) -> UInt64 {
        let digest = Digest()
        for index in 0..<chunks { chunk(index, size: chunkSize, seed: seed).withUnsafeBytes { digest.update($0) } }
        return digest.value
    }
}

/// An order-sensitive 64-bit checksum over bytes as they stream past, a word at a time.
///
/// ```swift
/// let digest = Digest()
/// try storage.get(key) { digest.update($0) }
/// print(digest.count, digest.value)
/// ```
public final class Digest: @unchecked Sendable {
    // Updated by one sink at a time (a plugin writes a download sequentially).
    private var state: UInt64 = 0xCBF2_9CE4_8422_2325
    private var pending: [UInt8] = []
    public private(set) var count = 0

    public init() {}

    public func update(_ bytes: UnsafeRawBufferPointer) {
        count += bytes.count
        var rest = bytes[...]
        // Complete a word left over from the previous chunk first.
        while !pending.isEmpty && pending.count < 8, let b = rest.first {
            pending.append(b)
            rest = rest.dropFirst()
        }
        if pending.count == 8 {
            pending.withUnsafeBytes { mix($0.loadUnaligned(as: UInt64.self)) }
            pending = []
        }
        let raw = UnsafeRawBufferPointer(rebasing: rest)
        let words = raw.count / 8
        for i in 0..<words { mix(raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) }
        pending += raw[(words * 8)...]
    }

    private func mix(_ word: UInt64) {
        state = (state ^ word) &* 0x0000_0100_0000_01B3
        state ^= state >> 29
    }

    public var value: UInt64 {
        var result = state
        for byte in pending { result = (result ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return result ^ UInt64(count)
    }
}

/// Resident memory of this process from `/proc/self/statm` (0 where it is missing).
public enum ResidentMemory {
    public static func bytes() -> Int {
        guard let file = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 128)
        guard fgets(&line, Int32(line.count), file) != nil else { return 0 }
        let fields = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
