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
    public let threads: Int

    public init(threads: Int) {
        self.threads = max(1, threads)
        pool = NIOThreadPool(numberOfThreads: self.threads)
        pool.start()
    }

    /// Runs `work` on a pool thread; its argument is false when the pool is shutting down
    /// and the work must only report that.
    func submit(_ work: @escaping @Sendable (_ active: Bool) -> Void) {
        pool.submit { state in
            if case .active = state { work(true) } else { work(false) }
        }
    }

    public func shutdown() async throws {
        try await pool.shutdownGracefully()
    }
}
