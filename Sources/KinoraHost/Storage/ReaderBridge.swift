import Foundation
import KinoraPluginABI

/// Feeds bytes from async code to a plugin's blocking `read`. The async side waits (without
/// blocking a thread) when `capacity` chunks are queued; the plugin's worker thread blocks
/// until a chunk or the end arrives. Memory is bounded by `capacity` chunks whatever the size.
final class ReaderBridge: @unchecked Sendable {
    // All mutable state is guarded by `condition`.
    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var head = 0  // read position in chunks.first
    private var finished = false
    private var failure: kn_status_t = KN_OK
    private var consumerGone = false
    private var spaceWaiter: CheckedContinuation<Void, Never>?
    private let capacity: Int

    init(capacity: Int = 8) { self.capacity = capacity }

    /// Content already whole in memory (a comment, a picture), queued with its end before
    /// the plugin reads: no producer task has to wait for a thread of the cooperative pool, so
    /// a busy pool cannot starve the call until its timeout fires first.
    init(whole bytes: [UInt8]) {
        capacity = 1
        chunks = bytes.isEmpty ? [] : [bytes]
        finished = true
    }

    /// Async side: queues a chunk; returns false if the plugin stopped reading.
    func push(_ bytes: [UInt8]) async -> Bool {
        while true {
            let state: Bool? = condition.withLock {
                if consumerGone { return false }
                if chunks.count < capacity {
                    chunks.append(bytes)
                    condition.broadcast()
                    return true
                }
                return nil
            }
            if let state { return state }
            await withCheckedContinuation { continuation in
                let resumeNow: Bool = condition.withLock {
                    if consumerGone || chunks.count < capacity { return true }
                    spaceWaiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Async side: end of stream, or a failure status the plugin's read will return.
    func finish(status: kn_status_t = KN_OK) {
        condition.withLock {
            finished = true
            failure = status
            condition.broadcast()
        }
    }

    /// Plugin side ([blocking-ok]).
    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity cap: Int) -> Int64 {
        var waiter: CheckedContinuation<Void, Never>?
        defer { waiter?.resume() }
        return condition.withLock {
            while chunks.isEmpty && !finished { condition.wait() }
            if chunks.isEmpty { return failure == KN_OK ? 0 : Int64(failure) }
            let chunk = chunks[0]
            let n = min(cap, chunk.count - head)
            _ = UnsafeMutableBufferPointer(start: buffer, count: n).update(fromContentsOf: chunk[head..<(head + n)])
            head += n
            if head == chunk.count {
                chunks.removeFirst()
                head = 0
                waiter = spaceWaiter
                spaceWaiter = nil
            }
            return Int64(n)
        }
    }

    /// The plugin finished (successfully or not): release a producer waiting for space.
    func consumerFinished() {
        let waiter: CheckedContinuation<Void, Never>? = condition.withLock {
            consumerGone = true
            defer { spaceWaiter = nil }
            return spaceWaiter
        }
        waiter?.resume()
    }

    /// A `kn_reader_t` whose ctx is this bridge, valid while the bridge is alive.
    func reader(sizeHint: Int64) -> kn_reader_t {
        kn_reader_t(
            ctx: Unmanaged.passUnretained(self).toOpaque(),
            read: { ctx, buffer, cap in
                guard let ctx, let buffer else { return Int64(KN_E_INVALID_ARGUMENT) }
                return Unmanaged<ReaderBridge>.fromOpaque(ctx).takeUnretainedValue().read(into: buffer, capacity: cap)
            }, size_hint: sizeHint, fd: -1)
    }
}
