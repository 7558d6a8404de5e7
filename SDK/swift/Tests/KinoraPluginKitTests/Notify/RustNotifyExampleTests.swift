import Foundation
import KinoraPluginConformance
import KinoraPluginKit
import Testing

/// The Rust kit's notify binding against the Swift suite: the Rust example channel
/// (SDK/rust/examples/notify-file) built with cargo, offline, loaded with dlopen as the daemon
/// loads it, passes every case. A machine without cargo fails here loudly (.ci/setup installs
/// it).
@Suite struct RustNotifyExampleTests {
    static let sdk = String(#filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(5).joined(separator: "/"))

    /// `cargo build --release -p kinora-notify-file`, once per test process; the built module.
    static let module: Result<String, any Error> = Result {
        let rust = sdk + "/rust"
        let log = NSTemporaryDirectory() + "kinora-sdk-cargo-\(getpid()).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let build = Process()
        build.executableURL = URL(fileURLWithPath: "/bin/sh")
        // cargo from PATH, then rustup's and Debian's places, as SDK/rust/check looks for it.
        build.arguments = [
            "-c", #"PATH="$PATH:$HOME/.cargo/bin:/usr/bin"; cd "$1" && exec cargo build --offline --release -p kinora-notify-file"#, "sh", rust,
        ]
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        build.standardOutput = output
        build.standardError = output
        try build.run()
        build.waitUntilExit()
        try output.close()
        let so = ProcessInfo.processInfo.environment["CARGO_TARGET_DIR"].map { $0 + "/release" } ?? rust + "/target/release"
        guard build.terminationStatus == 0, FileManager.default.fileExists(atPath: so + "/libkinora_notify_file.so") else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw ConformanceFailure("cargo build of the Rust notify example failed (status \(build.terminationStatus)):\n\(text.suffix(4000))")
        }
        return so + "/libkinora_notify_file.so"
    }

    static let host: Result<ConformanceHost, any Error> = Result { try ConformanceHost(modulePath: module.get()) }

    @Test func theRustFileChannelPassesTheNotifySuite() async throws {
        let file = scratchFile("rust-notify")
        defer { unlink(file) }
        let instance = try Self.host.get().start(pluginID: "org.kinora.example.notify-file", config: #"{"path":"\#(file)"}"#)
        defer { instance.close() }
        #expect(try NotifyConformance.addressKind(instance.plugin) == "none")
        var failed: [String: String] = [:]
        for check in Conformance.cases(for: instance.plugin) {
            do { try await check.run(instance.plugin) } catch { failed[check.name] = "\(error)" }
        }
        #expect(failed.isEmpty, "\(failed)")
        // The three messages sent in time, each once, as {"id":KEY,"message":{...}} lines.
        let lines = readLines(file)
        #expect(lines.count == 3, "\(lines)")
        for line in lines {
            let value = try JSONValue(parsing: line)
            #expect(value["id"]?.stringValue?.hasPrefix("conformance-") == true && value["message"]?["text"]?.stringValue != nil, "\(line)")
        }
    }
}
