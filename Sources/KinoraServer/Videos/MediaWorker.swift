import Foundation
import NIOConcurrencyHelpers

/// What the media worker found in an upload: the fields the server needs, plus the worker's
/// whole JSON description to keep with the video.
struct ProbedMedia: Sendable {
    var duration: Double?
    var displayWidth: Int?
    var displayHeight: Int?
    var json: String
}

/// Runs `kinora-media` (installed beside `kinora`) for work that needs the FFmpeg libraries.
/// A separate process keeps a decoder crash on a hostile file away from the daemon, and keeps
/// FFmpeg's libraries out of the idle daemon's memory.
struct MediaWorker: Sendable {
    let executable: String
    var timeout: Duration = .seconds(120)

    static func beside(_ executableDirectory: String) -> MediaWorker {
        MediaWorker(executable: executableDirectory + "/kinora-media")
    }

    /// Probes `path`; refusals become 422 problems with the worker's stable code.
    func probe(_ path: String) async throws -> ProbedMedia {
        let output = try await run(["probe", path])
        guard let object = try? JSONSerialization.jsonObject(with: output) as? [String: Any] else {
            throw Problem(.internalServerError, type: "media-worker-failed", title: "Media worker failed",
                          detail: "kinora-media printed no result")
        }
        guard object["ok"] as? Bool == true, let info = object["info"] as? [String: Any] else {
            let code = object["code"] as? String ?? "not-media"
            throw Problem(.unprocessableContent, type: code, title: "Not a usable video",
                          detail: object["message"] as? String ?? "the file is not a usable video")
        }
        let data = try JSONSerialization.data(withJSONObject: info, options: [.sortedKeys])
        return ProbedMedia(
            duration: info["duration"] as? Double, displayWidth: info["displayWidth"] as? Int,
            displayHeight: info["displayHeight"] as? Int, json: String(decoding: data, as: UTF8.self))
    }

    /// Runs the worker with a time limit, waiting for it without holding a pool thread; a
    /// crash is reported, not fatal.
    func run(_ arguments: [String]) async throws -> Data {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Problem(.serviceUnavailable, type: "media-worker-missing", title: "Media worker missing",
                          detail: "\(executable) is not installed or not executable")
        }
        let output = NIOLockedValueBox(Data())
        let exit = try await WorkerProcess(executable: executable, arguments: arguments).run(timeLimit: timeout) { line in
            output.withLockedValue { $0.append(line); $0.append(0x0A) }
        }
        guard exit.exitedNormally, exit.status == 0 else {
            let how = exit.reason == .uncaughtSignal ? "was killed by signal \(exit.status)" : "exited with \(exit.status)"
            throw Problem(.unprocessableContent, type: "media-worker-failed", title: "The file could not be analysed",
                          detail: "the media worker \(how) on this file (time limit \(timeout.components.seconds) s)")
        }
        return output.withLockedValue { $0 }
    }
}
