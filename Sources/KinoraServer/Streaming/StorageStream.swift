import Dispatch
import KinoraHost
import NIOConcurrencyHelpers
import NIOCore

/// Streams an object out of a storage plugin as ByteBuffers. The plugin's sink runs on a
/// worker thread and blocks while `window` chunks wait unsent (backpressure); when the client
/// goes away the sink throws, which the plugin sees as a cancelled writer.
struct StorageStream: Sendable {
    let storage: StorageClient
    let key: String
    let range: ClosedRange<Int64>
    var window = 4

    final class Flow: Sendable {
        let slots: DispatchSemaphore
        let gone = NIOLockedValueBox(false)
        init(window: Int) { slots = DispatchSemaphore(value: window) }
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
        return AsyncThrowingStream { () async throws -> ByteBuffer? in
            var iterator = stream.makeAsyncIterator()
            let next = try await iterator.next()
            flow.slots.signal()
            return next
        }
    }
}
