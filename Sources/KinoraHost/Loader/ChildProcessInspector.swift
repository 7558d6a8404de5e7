import Foundation
import NIOConcurrencyHelpers

/// Inspects module files in a child process: `EXECUTABLE plugin inspect --json -- FILE…`, all
/// files in one child. The daemon thereby learns every installed module's descriptors without
/// mapping the module or the libraries it links (libcurl, FFmpeg, …) into its own memory, and a
/// module that crashes while being inspected takes down only the child.
///
/// If the child dies or answers garbage, each file is inspected again in a child of its own, so
/// the one bad module is refused ("inspection crashed") and the others are still listed.
///
/// ```swift
/// // `kinora serve` inspects with its own executable:
/// let inspector = ChildProcessInspector(executable: "/proc/self/exe", secretFolders: setup.secretFolders)
/// registry.discoverModules(from: setup.pluginFolders, inspector: inspector)
/// ```
public struct ChildProcessInspector: ModuleInspector {
    public var executable: String
    public var secretFolders: [String]
    /// How long one child may take; a module whose init never returns is then refused, not
    /// waited for forever (the daemon would never listen).
    public var timeoutSeconds: Double

    public init(executable: String, secretFolders: [String] = [], timeoutSeconds: Double = 30) {
        self.executable = executable
        self.secretFolders = secretFolders
        self.timeoutSeconds = timeoutSeconds
    }

    /// The arguments the inspecting child receives; `kinora plugin inspect` parses exactly these.
    public func arguments(for paths: [String]) -> [String] {
        ["plugin", "inspect", "--json"] + secretFolders.flatMap { ["--secret-folder", $0] } + ["--"] + paths
    }

    public func inspect(_ paths: [String]) -> [ModuleInspection] {
        guard !paths.isEmpty else { return [] }
        switch run(paths) {
        case .success(let results):
            // Answer in the caller's order; a path the child skipped counts as refused.
            return paths.map { path in
                results.first { $0.path == path }
                    ?? ModuleInspection(path: path, module: nil, refusal: "\(path): the inspecting child gave no answer for this file")
            }
        case .failure(let reason):
            guard paths.count > 1 else { return [ModuleInspection(path: paths[0], module: nil, refusal: "\(paths[0]): \(reason)")] }
            return paths.flatMap { inspect([$0]) }
        }
    }

    private struct ChildFailure: Error { var text: String }

    private func run(_ paths: [String]) -> Result<[ModuleInspection], ChildFailure> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments(for: paths)
        // A private pipe: a child started elsewhere at this moment must not hold its write
        // end open, or the read below waits for that child instead of this one.
        let output: PrivatePipe
        do {
            output = try PrivatePipe()
        } catch {
            return .failure(ChildFailure(text: "cannot start the inspecting child \(executable): \(error)"))
        }
        process.standardOutput = output.fileHandleForWriting
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return .failure(ChildFailure(text: "cannot start the inspecting child \(executable): \(error)"))
        }
        try? output.fileHandleForWriting.close()
        let timedOut = NIOLockedValueBox(false)
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem {
            timedOut.withLockedValue { $0 = true }
            kill(pid, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds, execute: watchdog)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let exit = process.kernelExitStatus()
        watchdog.cancel()
        if timedOut.withLockedValue({ $0 }) {
            return .failure(ChildFailure(text: "inspection timed out after \(Int(timeoutSeconds)) s (the module's init did not return)"))
        }
        if exit.signaled {
            return .failure(ChildFailure(text: "inspection crashed (signal \(exit.status)) while loading the module"))
        }
        guard exit.status == 0 else {
            return .failure(ChildFailure(text: "inspection failed (the inspecting child exited with status \(exit.status))"))
        }
        guard let results = try? JSONDecoder().decode([ModuleInspection].self, from: data) else {
            return .failure(ChildFailure(text: "inspection failed (the inspecting child's answer is not the expected JSON)"))
        }
        return .success(results)
    }
}
