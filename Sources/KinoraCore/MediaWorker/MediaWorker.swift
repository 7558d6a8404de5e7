import Foundation
import KinoraMediaContract
import NIOConcurrencyHelpers

/// What the media worker found in an upload: the fields the server needs, plus the worker's
/// whole description to keep with the video.
public struct ProbedMedia: Sendable {
    public var duration: Double?
    public var displayWidth: Int?
    public var displayHeight: Int?
    /// The ``ProbeReport`` as ``MediaJSON`` text, stored with the video.
    public var json: String
}

/// Runs `kinora-media` (installed beside `kinora`) for work that needs the FFmpeg libraries.
/// A separate process keeps a decoder crash on a hostile file away from the daemon, and keeps
/// FFmpeg's libraries out of the idle daemon's memory.
public struct MediaWorker: Sendable {
    public let executable: String
    public var timeout: Duration = .seconds(120)

    public init(executable: String, timeout: Duration = .seconds(120)) {
        self.executable = executable
        self.timeout = timeout
    }

    public static func beside(_ executableDirectory: String) -> MediaWorker {
        MediaWorker(executable: executableDirectory + "/kinora-media")
    }

    /// Probes `path`; a refusal is ``MediaWorkerError/refused(_:)`` with the worker's stable code.
    public func probe(_ path: String) async throws -> ProbedMedia {
        let output = try await run(["probe", path])
        guard let reply = try? MediaJSON.decode(WorkerReply<ProbeSuccess>.self, from: output) else {
            throw MediaWorkerError.noResult
        }
        switch reply {
        case .refusal(let refusal):
            throw MediaWorkerError.refused(refusal)
        case .success(let success):
            let report = success.info
            return ProbedMedia(
                duration: report.info.duration, displayWidth: report.displayWidth,
                displayHeight: report.displayHeight, json: try MediaJSON.encode(report))
        }
    }

    /// `kinora-media versions`: the linked FFmpeg libraries and which encoders open, as the
    /// worker prints them (for `kinora doctor`).
    public func versions() async throws -> String {
        String(decoding: try await run(["versions"]), as: UTF8.self)
    }

    /// Runs the worker with a time limit, waiting for it without holding a pool thread; a
    /// crash is reported, not fatal.
    func run(_ arguments: [String]) async throws -> Data {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw MediaWorkerError.missing(executable: executable)
        }
        let output = NIOLockedValueBox(Data())
        let exit = try await WorkerProcess(executable: executable, arguments: arguments).run(timeLimit: timeout) { line in
            output.withLockedValue {
                $0.append(line)
                $0.append(0x0A)
            }
        }
        guard exit.exitedNormally, exit.status == 0 else {
            let how = exit.reason == .uncaughtSignal ? "was killed by signal \(exit.status)" : "exited with \(exit.status)"
            throw MediaWorkerError.crashed(how: how, timeLimitSeconds: timeout.components.seconds)
        }
        return output.withLockedValue { $0 }
    }
}
