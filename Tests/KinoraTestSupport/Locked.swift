import Foundation

/// A value that threads a test starts report into (a transcoder's encoding threads, workers
/// racing for jobs), read once they are done.
///
/// ```swift
/// let seen = Locked<[Int]>([])
/// Thread.detachNewThread { seen.change { $0.append(1) } }
/// ```
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    public init(_ value: Value) { stored = value }

    public var value: Value { lock.withLock { stored } }

    public func change(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}
