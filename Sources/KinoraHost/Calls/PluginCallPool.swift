import CKinoraThread
import NIOPosix

/// The worker threads that run blocking plugin operations, so no plugin call ever blocks an
/// event loop or the Swift concurrency pool.
///
/// The registry creates and owns it; plugin calls reach it through ``PluginInstance``:
///
/// ```swift
/// let registry = PluginRegistry(environment: environment, workerThreads: 4)
/// print(registry.pool.threads)  // 4
/// ```
public final class PluginCallPool: Sendable {
    let pool: NIOThreadPool
    /// As many threads again for background calls, at nice 10 (Linux's per-thread niceness):
    /// a thread's priority can be lowered but, without CAP_SYS_NICE, never raised back, so
    /// background work gets threads of its own rather than lowering the shared ones.
    let background: NIOThreadPool
    public let threads: Int

    public init(threads: Int) {
        self.threads = max(1, threads)
        pool = NIOThreadPool(numberOfThreads: self.threads)
        pool.start()
        background = NIOThreadPool(numberOfThreads: self.threads)
        background.start()
    }

    /// Runs `work` on a pool thread (a low-priority one for `background` work); its argument
    /// is false when the pool is shutting down and the work must only report that.
    func submit(background isBackground: Bool = false, _ work: @escaping @Sendable (_ active: Bool) -> Void) {
        if isBackground {
            background.submit { state in
                _ = kinora_set_thread_niceness(10)
                if case .active = state { work(true) } else { work(false) }
            }
        } else {
            pool.submit { state in
                if case .active = state { work(true) } else { work(false) }
            }
        }
    }

    public func shutdown() async throws {
        try await pool.shutdownGracefully()
        try await background.shutdownGracefully()
    }
}
