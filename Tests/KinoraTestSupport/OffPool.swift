import Foundation

extension TestEnvironment {
    /// `run` on a thread of its own: a long program (a fuzzer, a load generator) must not hold
    /// one of the two threads of the cooperative pool that every other running test shares.
    public static func runOffPool(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> (status: Int32, output: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try run(executable, arguments, environment: environment) })
            }
        }
    }
}
