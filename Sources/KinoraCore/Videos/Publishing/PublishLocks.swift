/// One writer at a time per video for its manifests and recorded presentation: the
/// transcode pipeline and the caption routes both publish, and a republish that read the
/// state before the other's write would put older manifests back. Waiters are served in
/// arrival order. The lock is per process: nodes that share a database would need a row lock.
public actor PublishLocks {
    public static let shared = PublishLocks()

    /// Present while a video's lock is held; the continuations of those waiting for it.
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    func acquire(_ video: String) async {
        guard waiting[video] != nil else {
            waiting[video] = []
            return
        }
        await withCheckedContinuation { waiting[video, default: []].append($0) }
    }

    /// Hands the lock to the next waiter, or frees it.
    func release(_ video: String) {
        guard var queue = waiting[video], !queue.isEmpty else {
            waiting[video] = nil
            return
        }
        let next = queue.removeFirst()
        waiting[video] = queue
        next.resume()
    }

    public nonisolated func withLock<T: Sendable>(_ video: String, _ body: @Sendable () async throws -> T) async throws -> T {
        await acquire(video)
        do {
            let result = try await body()
            await release(video)
            return result
        } catch {
            await release(video)
            throw error
        }
    }
}
