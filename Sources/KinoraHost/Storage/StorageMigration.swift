import NIOConcurrencyHelpers
import NIOCore

/// Copies every object of one storage instance to another (`kinora storage migrate`), each
/// streamed (never whole in memory) and verified: the copy's size, and a checksum of the bytes
/// read back from the target against the checksum of the bytes read from the source.
///
/// ```swift
/// let migration = StorageMigration(from: clients[0], to: clients[1], skipExisting: true)
/// let copied = try await migration.run { p in
///     print("[\(p.index)/\(p.count)] \(p.skipped ? "skipped" : "copied") \(p.key)")
/// }
/// ```
public struct StorageMigration: Sendable {
    /// Where a migration is after one object, so a long copy can show how far it got.
    ///
    /// ```swift
    /// try await migration.run { p in
    ///     let percent = p.bytesTotal > 0 ? Int(p.bytesDone * 100 / p.bytesTotal) : 100
    ///     print("\(percent)% \(p.key) (\(p.size) bytes)")
    /// }
    /// ```
    public struct Progress: Sendable {
        public var index: Int  // 1-based
        public var count: Int
        public var key: String
        public var size: Int64
        public var bytesDone: Int64
        public var bytesTotal: Int64
        public var skipped: Bool
    }

    public let source: StorageClient
    public let target: StorageClient
    public var skipExisting = false

    public init(from source: StorageClient, to target: StorageClient, skipExisting: Bool = false) {
        self.source = source
        self.target = target
        self.skipExisting = skipExisting
    }

    /// Runs the copy; `progress` is called after each object. Returns the objects copied.
    ///
    /// - Parameter progress: Called after each object, copied or skipped.
    /// - Returns: How many objects were copied (skipped ones not counted).
    /// - Throws: ``MigrationError`` when a copy's size or checksum differs from the source,
    ///   or the ``PluginCallError`` of a failed storage call; the objects before it stay copied.
    @discardableResult
    public func run(progress: @Sendable (Progress) -> Void = { _ in }) async throws -> Int {
        var objects: [StoredObject] = []
        var cursor: String?
        repeat {
            let page = try await source.list(cursor: cursor, limit: 1000)
            objects += page.objects
            cursor = page.nextCursor
        } while cursor != nil
        let total = objects.reduce(Int64(0)) { $0 + $1.size }
        var done: Int64 = 0
        var copied = 0
        for (index, object) in objects.enumerated() {
            var skipped = false
            if skipExisting, let existing = try? await target.stat(object.key), existing.size == object.size {
                skipped = true
            } else {
                try await copy(object)
                copied += 1
            }
            done += object.size
            progress(
                Progress(
                    index: index + 1, count: objects.count, key: object.key, size: object.size,
                    bytesDone: done, bytesTotal: total, skipped: skipped))
        }
        return copied
    }

    func copy(_ object: StoredObject) async throws {
        let read = Digest()
        let stored: StoredObject
        if object.size == 0 {
            stored = try await target.put(object.key, contentType: object.contentType, bytes: [])
        } else {
            let body = DigestingBody(base: source.stream(object.key, range: 0...(object.size - 1)), digest: read)
            stored = try await target.put(object.key, contentType: object.contentType, body: body, sizeHint: object.size)
        }
        guard stored.size == object.size, read.count == Int(object.size) else {
            throw MigrationError(key: object.key, "copied \(stored.size) of \(object.size) bytes")
        }
        let back = Digest()
        try await target.get(object.key) { back.update($0) }
        guard back.count == read.count, back.value == read.value else {
            throw MigrationError(key: object.key, "the copy read back differs from the source")
        }
    }
}

/// The source's bytes as chunks for a put, checksummed on the way through.
struct DigestingBody: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let base: AsyncThrowingStream<ByteBuffer, any Error>
    let digest: Digest

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator
        let digest: Digest
        mutating func next() async throws -> [UInt8]? {
            guard let buffer = try await base.next() else { return nil }
            let bytes = Array(buffer.readableBytesView)
            bytes.withUnsafeBytes { digest.update($0) }
            return bytes
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), digest: digest) }
}

/// A copy that did not verify, naming the key so the operator knows which object to look at
/// before resuming with `--skip-existing`.
///
/// ```swift
/// do {
///     try await migration.run()
/// } catch let error as MigrationError {
///     print("\(error.key) was not copied: \(error.reason)")
/// }
/// ```
public struct MigrationError: Error, CustomStringConvertible {
    public let key: String
    public let reason: String
    init(key: String, _ reason: String) {
        self.key = key
        self.reason = reason
    }
    public var description: String { "\(key): \(reason)" }
}
