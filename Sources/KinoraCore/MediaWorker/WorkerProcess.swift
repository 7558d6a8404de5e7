import Foundation
import NIOConcurrencyHelpers
import KinoraHost

#if canImport(Glibc)
import Glibc
#endif

/// One run of a child program (the media worker), awaited without holding a thread of any
/// pool: a thread of its own reads the child's standard output to its end, and the process's
/// termination handler reports the exit. A transcode that runs for minutes, or a worker
/// stopped with SIGSTOP, therefore never takes a thread that stream reads or logins need.
///
/// Cancelling the awaiting task terminates a running child; a cancel that comes before the
/// start keeps the child from ever starting (an administrator's cancel between two steps
/// must not start a whole transcode that nobody waits for).
final class WorkerProcess: @unchecked Sendable {
    struct Exit: Sendable {
        var reason: Process.TerminationReason
        var status: Int32
        var exitedNormally: Bool { reason == .exit }
    }

    struct StartFailed: Error, CustomStringConvertible {
        let description: String
    }

    // `process` is configured before run() and started under `state`'s lock, which orders
    // the start against terminate(); Process.terminate() itself is thread-safe.
    private let process = Process()
    private let state = NIOLockedValueBox(State())

    private struct State {
        var cancelled = false
        var started = false
        var exited = false
    }

    init(executable: String, arguments: [String]) {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
    }

    /// Runs the child to its exit, handing each line of its standard output (without the
    /// newline) to `line` on the reader thread as it arrives. After `timeLimit` the child is
    /// terminated. Runs once.
    func run(timeLimit: Duration? = nil, line: @escaping @Sendable (Data) -> Void) async throws -> Exit {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Exit, Error>) in
                start(timeLimit: timeLimit, line: line, completion: Completion(continuation))
            }
        } onCancel: {
            terminate()
        }
    }

    /// Stops the child if it runs, and keeps it from starting if it has not yet.
    func terminate() {
        state.withLockedValue { state in
            state.cancelled = true
            if state.started, !state.exited, process.isRunning { process.terminate() }
        }
    }

    private func start(timeLimit: Duration?, line: @escaping @Sendable (Data) -> Void, completion: Completion) {
        // A channel of our own rather than Foundation's Pipe: when the daemon is out of file
        // descriptors, Pipe hands back an invalid handle that traps when read; here that is an
        // error. Close-on-exec from birth, so a worker started at the same moment never
        // inherits this one's write end and holds its output open.
        let channel: PrivatePipe
        do {
            channel = try PrivatePipe()
        } catch {
            completion.fail(StartFailed(description: "cannot start the media worker: \(error)"))
            return
        }
        let readEnd = channel.fileHandleForReading
        let writeEnd = channel.fileHandleForWriting
        process.standardOutput = writeEnd
        process.terminationHandler = { [state] process in
            state.withLockedValue { $0.exited = true }
            completion.exited(Exit(reason: process.terminationReason, status: process.terminationStatus))
        }
        do {
            try state.withLockedValue { state in
                if state.cancelled { throw CancellationError() }
                try process.run()
                state.started = true
            }
        } catch {
            process.terminationHandler = nil
            try? writeEnd.close()
            try? readEnd.close()
            completion.fail(error)
            return
        }
        // Only the child writes now: its exit is the pipe's end.
        try? writeEnd.close()
        if let timeLimit {
            // Harmless once the child has exited: terminate() then does nothing.
            let seconds = Double(timeLimit.components.seconds) + Double(timeLimit.components.attoseconds) / 1e18
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [weak self] in self?.terminate() }
        }
        let thread = Thread {
            Self.readLines(from: readEnd.fileDescriptor, line: line)
            try? readEnd.close()
            completion.reachedEnd()
        }
        thread.name = "kinora-media reader"
        thread.start()
    }

    /// Blocking reads on the reader thread until the child closes its output.
    private static func readLines(from fd: Int32, line: @Sendable (Data) -> Void) {
        var buffer = Data()
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            buffer.append(contentsOf: chunk[0..<n])
            while let newline = buffer.firstIndex(of: 0x0A) {
                line(Data(buffer[buffer.startIndex..<newline]))
                buffer.removeSubrange(buffer.startIndex...newline)
            }
        }
        if !buffer.isEmpty { line(buffer) }
    }
}

/// Resumes the waiting task once the child has both closed its output and exited, in
/// whichever order the two arrive, or at once on a failure to start.
private final class Completion: Sendable {
    private struct State {
        var continuation: CheckedContinuation<WorkerProcess.Exit, Error>?
        var ended = false
        var exit: WorkerProcess.Exit?
    }

    private let state: NIOLockedValueBox<State>

    init(_ continuation: CheckedContinuation<WorkerProcess.Exit, Error>) {
        state = NIOLockedValueBox(State(continuation: continuation))
    }

    func reachedEnd() {
        resumeIfDone { $0.ended = true }
    }

    func exited(_ exit: WorkerProcess.Exit) {
        resumeIfDone { $0.exit = exit }
    }

    func fail(_ error: Error) {
        state.withLockedValue { state in
            state.continuation?.resume(throwing: error)
            state.continuation = nil
        }
    }

    private func resumeIfDone(_ change: (inout State) -> Void) {
        state.withLockedValue { state in
            change(&state)
            guard state.ended, let exit = state.exit, let continuation = state.continuation else { return }
            continuation.resume(returning: exit)
            state.continuation = nil
        }
    }
}
