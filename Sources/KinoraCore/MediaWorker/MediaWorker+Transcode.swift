import Foundation
import KinoraMediaContract
import NIOConcurrencyHelpers

/// A transcode that did not deliver renditions, in one sentence (stored as the job's reason).
public struct TranscodeFailure: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

extension MediaWorker {
    /// Runs the worker's transcode, reporting progress (0–1, step) as lines arrive, and with
    /// `--progressive` the renditions' common whole segments to `partial` as they grow (on the
    /// reader thread, in order). Cancelling the task terminates the worker, which removes its
    /// partial output; a task cancelled before this call never starts it.
    public func transcode(
        input: String, output: String, options: [String],
        partial: @escaping @Sendable ([Rendition]) -> Void = { _ in },
        progress: @escaping @Sendable (Double, String) -> Void
    ) async throws -> TranscodeResult {
        let worker = WorkerProcess(executable: executable, arguments: ["transcode", input, output] + options)
        let final = NIOLockedValueBox<WorkerReply<TranscodeResult>?>(nil)
        let exit = try await worker.run { line in
            switch try? MediaJSON.decode(TranscodeLine.self, from: line) {
            case .progress(let report): progress(report.progress, report.step)
            case .partial(let renditions): partial(renditions)
            case .finished(let reply): final.withLockedValue { $0 = reply }
            case nil: break
            }
        }
        guard exit.exitedNormally, let final = final.withLockedValue({ $0 }) else {
            throw TranscodeFailure(
                description: exit.reason == .uncaughtSignal
                    ? "the media worker was killed by signal \(exit.status) while transcoding this file"
                    : "the media worker exited with status \(exit.status) without a result")
        }
        switch final {
        case .success(let result): return result
        case .refusal(let refusal): throw TranscodeFailure(description: refusal.message)
        }
    }
}
