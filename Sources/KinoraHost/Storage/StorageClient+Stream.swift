import Dispatch
import NIOConcurrencyHelpers
import NIOCore

extension StorageClient {
    /// Bytes `range` of `key` as an async sequence of ByteBuffers, for an HTTP response. The
    /// plugin's sink runs on a worker thread and blocks while `window` chunks wait unsent
    /// (backpressure); when the consumer goes away the sink throws, which the plugin sees as
    /// a cancelled writer.
    public func stream(_ key: String, range: ClosedRange<Int64>, window: Int = 4) -> AsyncThrowingStream<ByteBuffer, any Error> {
        StorageStream(storage: self, key: key, range: range, window: window).buffers()
    }
}

struct StorageStream: Sendable {
    let storage: StorageClient
    let key: String
    let range: ClosedRange<Int64>
    let window: Int

    final class Flow: Sendable {
        let slots: DispatchSemaphore
        let gone = NIOLockedValueBox(false)
        init(window: Int) {
            // Start at 0 and signal up: libdispatch traps when a semaphore is released while
            // its value is below the value it was created with (a consumer that left early).
            slots = DispatchSemaphore(value: 0)
            for _ in 0..<window { slots.signal() }
        }
    }

    struct ConsumerGone: Error {}

    func buffers() -> AsyncThrowingStream<ByteBuffer, any Error> {
        let flow = Flow(window: window)
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
        let producer = Task {
            do {
                try await storage.get(key, offset: range.lowerBound, length: Int64(range.count)) { chunk in
                    flow.slots.wait()
                    if flow.gone.withLockedValue({ $0 }) { throw ConsumerGone() }
                    continuation.yield(ByteBuffer(bytes: chunk))
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in
            flow.gone.withLockedValue { $0 = true }
            flow.slots.signal()
            producer.cancel()
        }
        // One iterator for the whole stream; each chunk taken frees one slot for the plugin.
        let source = IteratorBox(stream.makeAsyncIterator())
        return AsyncThrowingStream { () async throws -> ByteBuffer? in
            let next = try await source.next()
            flow.slots.signal()
            return next
        }
    }
}

/// Holds the single iterator of the inner stream for the unfolding closure.
final class IteratorBox: @unchecked Sendable {
    // Only the consuming task calls next(), one call at a time, as AsyncSequence requires.
    private var iterator: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator
    init(_ iterator: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator) { self.iterator = iterator }
    func next() async throws -> ByteBuffer? { try await iterator.next() }
}
