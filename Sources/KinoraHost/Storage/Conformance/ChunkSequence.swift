/// Deterministic test data produced chunk by chunk, so gigabytes never sit in memory.
///
/// ```swift
/// let body = ChunkSequence(chunks: 256, chunkSize: 1 << 20, seed: 0x5EED)
/// try await storage.put("conformance/large.bin", body: body)
/// let digest = Digest()
/// try await storage.get("conformance/large.bin") { digest.update($0) }
/// assert(digest.value == ChunkSequence.digest(chunks: 256, chunkSize: 1 << 20, seed: 0x5EED))
/// ```
public struct ChunkSequence: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    let chunks: Int
    let chunkSize: Int
    let seed: UInt64
    let fill: UInt8?
    let failAfter: Int?

    /// What the sequence throws at chunk `failAfter`, to test that a put whose body fails
    /// stores nothing.
    ///
    /// ```swift
    /// let failing = ChunkSequence(chunks: 4, chunkSize: 64 * 1024, failAfter: 2)
    /// _ = try? await storage.put("conformance/keep", body: failing)  // the old object stays
    /// ```
    public struct InjectedFailure: Error {}

    public init(chunks: Int, chunkSize: Int, seed: UInt64 = 1, fill: UInt8? = nil, failAfter: Int? = nil) {
        self.chunks = chunks
        self.chunkSize = chunkSize
        self.seed = seed
        self.fill = fill
        self.failAfter = failAfter
    }

    /// Makes each chunk only when asked, which is what keeps the sequence out of memory.
    ///
    /// ```swift
    /// var chunks = ChunkSequence(chunks: 2, chunkSize: 8).makeAsyncIterator()
    /// let first = try await chunks.next()  // 8 bytes
    /// ```
    public struct AsyncIterator: AsyncIteratorProtocol {
        let sequence: ChunkSequence
        var index = 0
        public mutating func next() async throws -> [UInt8]? {
            if let failAfter = sequence.failAfter, index == failAfter { throw InjectedFailure() }
            guard index < sequence.chunks else { return nil }
            defer { index += 1 }
            if let fill = sequence.fill { return [UInt8](repeating: fill, count: sequence.chunkSize) }
            return ChunkSequence.chunk(index, size: sequence.chunkSize, seed: sequence.seed)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(sequence: self) }

    static func chunk(_ index: Int, size: Int, seed: UInt64) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var state = seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15
            let words = size / 8
            buffer.withMemoryRebound(to: UInt64.self) { wordsBuffer in
                for i in 0..<words {
                    state ^= state << 13
                    state ^= state >> 7
                    state ^= state << 17
                    wordsBuffer[i] = state
                }
            }
            for i in (words * 8)..<size { buffer[i] = UInt8(truncatingIfNeeded: i) }
            count = size
        }
    }

    /// The digest of the whole sequence, computed without storing it.
    public static func digest(chunks: Int, chunkSize: Int, seed: UInt64) -> UInt64 {
        let digest = Digest()
        for index in 0..<chunks { chunk(index, size: chunkSize, seed: seed).withUnsafeBytes { digest.update($0) } }
        return digest.value
    }
}

/// An order-sensitive 64-bit checksum, cheap enough to run over hundreds of MiB in tests.
/// A class so a storage sink closure can update it as chunks arrive.
///
/// ```swift
/// let digest = Digest()
/// try await storage.get(key) { digest.update($0) }
/// print(digest.count, digest.value)
/// ```
public final class Digest: @unchecked Sendable {
    // Only ever updated from one storage get at a time (a sink is called sequentially).
    private var state: UInt64 = 0xCBF2_9CE4_8422_2325
    private var pending: [UInt8] = []
    public private(set) var count = 0

    public init() {}

    public func update(_ bytes: UnsafeRawBufferPointer) {
        count += bytes.count
        var data = pending + Array(bytes)
        let words = data.count / 8
        data.withUnsafeBytes { raw in
            for i in 0..<words {
                let word = raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
                state = (state ^ word) &* 0x0000_0100_0000_01B3
                state ^= state >> 29
            }
        }
        pending = Array(data[(words * 8)...])
        data.removeAll()
    }

    public var value: UInt64 {
        var result = state
        for byte in pending { result = (result ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return result ^ UInt64(count)
    }
}
