import KinoraPluginConformance

/// The conformance suites' deterministic test data as an AsyncSequence, for tests that put
/// large bodies through the daemon's own StorageClient (S3 multipart uploads). Chunks are made
/// only when asked, so gigabytes never sit in memory; `TestData.digest` checks them.
///
/// ```swift
/// let body = ChunkSequence(chunks: 23, chunkSize: 1 << 20, seed: 7)
/// try await storage.put("whole.bin", body: body)
/// let digest = Digest()
/// try await storage.get("whole.bin") { digest.update($0) }
/// #expect(digest.value == TestData.digest(chunks: 23, chunkSize: 1 << 20, seed: 7))
/// ```
public struct ChunkSequence: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    let chunks: Int
    let chunkSize: Int
    let seed: UInt64
    let failAfter: Int?

    /// What the sequence throws at chunk `failAfter`, to test that a failed upload stores nothing.
    public struct InjectedFailure: Error {}

    public init(chunks: Int, chunkSize: Int, seed: UInt64 = 1, failAfter: Int? = nil) {
        self.chunks = chunks
        self.chunkSize = chunkSize
        self.seed = seed
        self.failAfter = failAfter
    }

    /// Makes each chunk only when asked.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let sequence: ChunkSequence
        var index = 0
        public mutating func next() async throws -> [UInt8]? {
            if let failAfter = sequence.failAfter, index == failAfter { throw InjectedFailure() }
            guard index < sequence.chunks else { return nil }
            defer { index += 1 }
            return TestData.chunk(index, size: sequence.chunkSize, seed: sequence.seed)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(sequence: self) }
}
