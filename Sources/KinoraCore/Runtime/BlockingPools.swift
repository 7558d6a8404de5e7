import CKinoraThread
import NIOCore
import NIOPosix

/// The daemon's thread pools for blocking work, one per kind of work, so that no kind waits
/// behind another. All of it once ran on `NIOThreadPool.singleton` (one thread per core):
/// with two transcodes on two cores, the media workers' waits held both threads, and stream
/// reads and logins queued behind them for seconds, or for ever while a worker hung.
///
/// Media workers use no pool at all: a child process is awaited by a thread of its own (see
/// `WorkerProcess`). Nothing of ours runs on NIO's singleton pool any more, so
/// `NIO_SINGLETON_BLOCKING_POOL_THREAD_COUNT` no longer matters to the daemon.
///
/// The pools start on first use and live as long as the process.
public enum BlockingPools {
    /// bcrypt (login, sign-up, password changes): a quarter second of pure CPU per hash at
    /// cost 12. One thread per core is all the CPU there is; more threads would only share
    /// it. At least two, so a one-core host still checks a second login while one hashes.
    /// Not configurable: the right size follows from the cores, which NIO reads (including a
    /// container's CPU quota).
    public static let passwordHashing = start(threads: max(2, System.coreCount))

    /// Reads of stream files (manifests and segments): mostly waiting on the disk, not the
    /// CPU, so more threads than cores keep more reads in flight; hot files come from the
    /// stream cache and reach the disk once a second at most. Kept apart from uploads so a
    /// slow `fdatasync` of an upload never delays a segment a player is waiting for.
    public static let streamFiles = start(threads: max(8, 2 * System.coreCount))

    /// Writes, truncations and syncs of upload files (tus and multipart). A sync can take
    /// seconds on a busy disk; a few threads let several uploads progress at once.
    public static let uploadFiles = start(threads: 4)

    /// The notification outbox's database work (fan-outs, claims, outcomes). A fan-out to a
    /// channel's 100,000 subscribers holds SQLite's write lock for about a second, and every
    /// other writer waits for it in SQLite's busy handler: on the cooperative pool those waits
    /// took both threads of a 2-core machine and stalled every request for that second.
    public static let notifications = start(threads: 2)

    /// Runs `work` on `notifications` at a lower CPU priority than the threads that answer
    /// requests (nice 10, Linux's per-thread niceness): a fan-out competes for the cores with
    /// the catalog reads it must not slow down.
    public static func inBackground<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await notifications.runIfActive {
            _ = kinora_set_thread_niceness(10)
            return try work()
        }
    }

    /// File I/O for stream responses, on `streamFiles`.
    public static let streamFileIO = NonBlockingFileIO(threadPool: streamFiles)

    private static func start(threads: Int) -> NIOThreadPool {
        let pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        return pool
    }
}
