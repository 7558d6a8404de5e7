import Foundation
import KinoraHost

/// One run of a real player (ffmpeg, GStreamer, VLC, mpv) bounded by a timeout: a player that
/// hangs is a failure the test reports, never a test that hangs.
public struct PlayerRun: Sendable, CustomStringConvertible {
    public let command: [String]
    public let status: Int32
    /// Killed by a signal it did not get from us (a crash: SIGSEGV, SIGABRT).
    public let crashed: Bool
    public let timedOut: Bool
    public let stdout: String
    public let stderr: String
    public let seconds: Double

    public var output: String { stdout + stderr }
    /// Exited by itself with status 0.
    public var succeeded: Bool { status == 0 && !crashed && !timedOut }

    public var description: String {
        let how = timedOut ? "timed out" : crashed ? "crashed (signal \(status))" : "exited \(status)"
        let tail = output.count > 4000 ? "…" + output.suffix(4000) : Substring(output)
        return "`\(command.joined(separator: " "))` \(how) after \(String(format: "%.1f", seconds)) s:\n\(tail)"
    }

    /// Runs `executable` with stdout and stderr apart; past `timeout` it is sent SIGTERM, then
    /// SIGKILL two seconds later.
    public static func run(
        _ executable: String, _ arguments: [String], timeout: Duration, environment: [String: String]? = nil
    ) throws -> PlayerRun {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw TestFailure("\(executable) is missing: .ci/setup installs the players (ffmpeg, gstreamer1.0-tools, vlc-bin, mpv)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        let out = try PrivatePipe()
        let err = try PrivatePipe()
        process.standardOutput = out.fileHandleForWriting
        process.standardError = err.fileHandleForWriting
        let started = Date()
        try process.run(closingChildEndsOf: out, err)
        let collected = Collected()
        let group = DispatchGroup()
        for (handle, isError) in [(out.fileHandleForReading, false), (err.fileHandleForReading, true)] {
            group.enter()
            DispatchQueue.global().async {
                let data = handle.readDataToEndOfFile()
                collected.lock.withLock { if isError { collected.err = data } else { collected.out = data } }
                group.leave()
            }
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        var timedOut = false
        if group.wait(timeout: .now() + seconds) == .timedOut {
            timedOut = true
            process.terminate()
            if group.wait(timeout: .now() + 2) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                group.wait()
            }
        }
        let exit = process.waitForExitStatus()
        let crashed = !timedOut && exit.signaled
        return collected.lock.withLock {
            PlayerRun(
                command: [executable] + arguments, status: exit.status, crashed: crashed, timedOut: timedOut,
                stdout: String(decoding: collected.out, as: UTF8.self), stderr: String(decoding: collected.err, as: UTF8.self),
                seconds: Date().timeIntervalSince(started))
        }
    }

    /// VLC refuses to run as root: as root, the command runs as `nobody` through setpriv.
    public static func unprivileged(_ executable: String, _ arguments: [String]) -> (String, [String]) {
        guard geteuid() == 0 else { return (executable, arguments) }
        return (
            "/usr/bin/setpriv",
            ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "/usr/bin/env", "HOME=/tmp", executable] + arguments
        )
    }
}

private final class Collected: @unchecked Sendable {  // `out` and `err` are guarded by `lock`
    let lock = NSLock()
    var out = Data()
    var err = Data()
}
