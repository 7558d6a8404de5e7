import Foundation

extension TestEnvironment {
    /// `run` on a thread of its own: a long program (a fuzzer, a load generator) must not hold
    /// one of the two threads of the cooperative pool that every other running test shares.
    public static func runOffPool(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil
    ) async throws -> (status: Int32, output: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try run(executable, arguments, environment: environment) })
            }
        }
    }
}

extension TestEnvironment {
    /// Calls `check` every `interval` on a thread of its own until it returns a value or
    /// `timeout` passes (nil then). For polls made of blocking HTTP calls: on the cooperative
    /// pool, other tests' blocking work can hold both threads for many seconds, and a poll
    /// that waits its turn there misses a state that lasts only that long.
    public static func pollOffPool<T: Sendable>(
        timeout: Duration, interval: Duration = .milliseconds(50),
        _ check: @escaping @Sendable () throws -> T?
    ) async throws -> T? {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    with: Result {
                        let deadline = ContinuousClock.now + timeout
                        while ContinuousClock.now < deadline {
                            if let value = try check() { return value }
                            Thread.sleep(forTimeInterval: Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18)
                        }
                        return nil
                    })
            }
        }
    }
}
