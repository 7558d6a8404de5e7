import Foundation
import KinoraHost
import NIOConcurrencyHelpers
import NIOPosix

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
    /// the task terminates the worker, which removes its partial output.
    func transcode(input: String, output: String, options: [String],
                   progress: @escaping @Sendable (Double, String) -> Void) async throws -> TranscodeOutcome {
        let executable = self.executable
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["transcode", input, output] + options
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        let box = ProcessBox(process)
        return try await withTaskCancellationHandler {
            try await NIOThreadPool.singleton.runIfActive {
                try box.run()
                var buffer = Data()
                var final: JSONValue?
                while true {
                    let chunk = pipe.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    buffer.append(chunk)
                    while let newline = buffer.firstIndex(of: 0x0A) {
                        let line = buffer[buffer.startIndex..<newline]
                        buffer.removeSubrange(buffer.startIndex...newline)
                        guard let object = try? JSONValue(parsing: String(decoding: line, as: UTF8.self)) else { continue }
                        if let fraction = object["progress"]?.doubleValue {
                            progress(fraction, object["step"]?.stringValue ?? "encoding")
                        } else {
                            final = object
                        }
                    }
                }
                process.waitUntilExit()
                guard process.terminationReason == .exit, let final else {
                    throw TranscodeFailure(description: process.terminationReason == .uncaughtSignal
                        ? "the media worker was killed by signal \(process.terminationStatus) while transcoding this file"
                        : "the media worker exited with status \(process.terminationStatus) without a result")
                }
                guard final["ok"]?.boolValue == true, let renditions = final["renditions"]?.arrayValue else {
                    throw TranscodeFailure(description: final["message"]?.stringValue ?? "the transcode failed")
                }
                let thumbnails = final["thumbnails"].flatMap { $0 == .null ? nil : $0 }
                return TranscodeOutcome(renditions: renditions, encoder: final["encoder"]?.stringValue,
                                        fallback: final["fallback"]?.stringValue, thumbnails: thumbnails,
                                        passthroughRefusal: final["passthrough_refusal"]?.stringValue)
            }
        } onCancel: {
            box.terminate()
        }
    }
}

/// Lets the cancellation handler stop a running worker, or keep one from starting: a task
/// cancelled before its worker ran (an administrator's cancel between two steps) must not
/// start a whole transcode that nobody waits for.
final class ProcessBox: @unchecked Sendable {
    // Process is thread-safe for terminate(); the lock orders run() against terminate().
    let process: Process
    private let cancelled = NIOLockedValueBox(false)
    init(_ process: Process) { self.process = process }

    func run() throws {
        try cancelled.withLockedValue { cancelled in
            if cancelled { throw CancellationError() }
            try process.run()
        }
    }

    func terminate() {
        cancelled.withLockedValue { cancelled in
            cancelled = true
            if process.isRunning { process.terminate() }
        }
    }
}
