import CFFmpeg
import Foundation

/// One reference to a decoded picture (av_frame_clone: the pixels are shared, refcounted),
/// handed from the decoding thread to exactly one encoder thread, which frees it.
final class FrameReference: @unchecked Sendable {
    // @unchecked: the frame is only touched by one thread at a time (the producer before
    // push, the consumer after pop); the queue's lock orders the hand-over.
    private(set) var frame: UnsafeMutablePointer<AVFrame>?
    /// The output frame number (constant frame rate, from 0).
    let index: Int64

    init?(cloning source: UnsafePointer<AVFrame>, index: Int64) {
        guard let clone = av_frame_clone(source) else { return nil }
        frame = clone
        self.index = index
    }

    deinit {
        av_frame_free(&frame)
    }
}

/// A bounded single-producer single-consumer queue: the producer blocks while it is full, so
/// the decoder never runs more than `capacity` frames ahead of the slowest encoder.
final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    // @unchecked: every stored property is read and written under `condition`.
    private let condition = NSCondition()
    // Popped slots are set to nil at once: a popped frame must not stay referenced here.
    private var items: [Element?] = []
    private var head = 0
    private var closed = false
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Blocks while full. Returns false (and drops the element) when the queue was closed.
    @discardableResult
    func push(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= capacity, !closed { condition.wait() }
        guard !closed else { return false }
        items.append(element)
        condition.broadcast()
        return true
    }

    /// Blocks while empty; nil once the queue is closed and drained.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count, !closed { condition.wait() }
        guard head < items.count else { return nil }
        let element = items[head]
        items[head] = nil
        head += 1
        if head > 64, head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return element
    }

    /// No more elements: the consumer drains what is queued, then `pop` returns nil.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

/// Cooperative cancellation: the caller sets it from any thread; the transcoder checks it
/// between packets and stops with `TranscodeError.cancelled`.
public final class TranscodeCancellation: @unchecked Sendable {
    // @unchecked: `flag` is only accessed under `lock`.
    private let lock = NSLock()
    private var flag = false

    public init() {}

    public func cancel() {
        lock.lock()
        flag = true
        lock.unlock()
    }

    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return flag
    }
}

/// The first failure of any worker, visible to all of them and to the decoding thread, so
/// everyone stops early.
final class SharedFailure: @unchecked Sendable {
    // @unchecked: `first` is only accessed under `lock`.
    private let lock = NSLock()
    private var first: TranscodeError?

    func set(_ error: TranscodeError) {
        lock.lock()
        if first == nil { first = error }
        lock.unlock()
    }

    var error: TranscodeError? {
        lock.lock()
        defer { lock.unlock() }
        return first
    }

    var isSet: Bool { error != nil }
}
