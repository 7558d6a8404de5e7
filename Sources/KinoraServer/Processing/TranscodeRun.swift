import Foundation
import KinoraConfiguration
import KinoraHost
import NIOConcurrencyHelpers

/// One `kinora-media transcode` run: progress lines while it works, renditions at the end.
struct TranscodeOutcome: Sendable {
    /// The renditions exactly as the packager presentation wants them.
    var renditions: [JSONValue]
    var encoder: String?
    var fallback: String?
    /// The worker's thumbnails object (file names relative to its output folder), or nil.
    var thumbnails: JSONValue?
    /// Why the top rung was encoded rather than copied from the source (nil: copied, or not asked).
    var passthroughRefusal: String?
}

struct TranscodeFailure: Error, CustomStringConvertible {
    let description: String
}

extension MediaWorker {
    /// Runs the worker's transcode, reporting progress (0–1, step) as lines arrive. Cancelling
    /// the task terminates the worker, which removes its partial output; a task cancelled
    /// before this call never starts it.
    func transcode(input: String, output: String, options: [String],
                   progress: @escaping @Sendable (Double, String) -> Void) async throws -> TranscodeOutcome {
        let worker = WorkerProcess(executable: executable, arguments: ["transcode", input, output] + options)
        let final = NIOLockedValueBox<JSONValue?>(nil)
        let exit = try await worker.run { line in
            guard let object = try? JSONValue(parsing: String(decoding: line, as: UTF8.self)) else { return }
            if let fraction = object["progress"]?.doubleValue {
                progress(fraction, object["step"]?.stringValue ?? "encoding")
            } else {
                final.withLockedValue { $0 = object }
            }
        }
        guard exit.exitedNormally, let final = final.withLockedValue({ $0 }) else {
            throw TranscodeFailure(description: exit.reason == .uncaughtSignal
                ? "the media worker was killed by signal \(exit.status) while transcoding this file"
                : "the media worker exited with status \(exit.status) without a result")
        }
        guard final["ok"]?.boolValue == true, let renditions = final["renditions"]?.arrayValue else {
            throw TranscodeFailure(description: final["message"]?.stringValue ?? "the transcode failed")
        }
        let thumbnails = final["thumbnails"].flatMap { $0 == .null ? nil : $0 }
        return TranscodeOutcome(renditions: renditions, encoder: final["encoder"]?.stringValue,
                                fallback: final["fallback"]?.stringValue, thumbnails: thumbnails,
                                passthroughRefusal: final["passthrough_refusal"]?.stringValue)
    }
}
