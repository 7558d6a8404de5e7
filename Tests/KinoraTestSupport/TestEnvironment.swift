import Foundation
import KinoraConfiguration
import KinoraHost
import Logging

/// Where the build put the daemon and the bundled plugins, and scratch folders for tests.
public enum TestEnvironment {
    /// The build products folder (`.build/<triple>/<config>`): the test bundle lives there.
    public static var buildDirectory: String {
        if let explicit = ProcessInfo.processInfo.environment["KINORA_BUILD_DIR"] { return explicit }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (exe as NSString).deletingLastPathComponent
    }

    public static var repositoryRoot: String {
        // Tests/KinoraTestSupport/TestEnvironment.swift → the repository root.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    public static var kinoraExecutable: String { buildDirectory + "/kinora" }
    public static var storageLocalModule: String { buildDirectory + "/libkinora-storage-local.so" }
    public static var wordlistModule: String { buildDirectory + "/libkinora-moderation-wordlist.so" }
    public static var bayesModule: String { buildDirectory + "/libkinora-moderation-bayes.so" }
    public static var abiInclude: String { repositoryRoot + "/SDK/c/abi/include" }

    /// A new empty folder under the system temp folder; the caller removes it.
    public static func makeTemporaryDirectory(_ label: String = "kinora-test") throws -> String {
        let path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    public static func quietLogger() -> Logger {
        var logger = Logger(label: "kinora-test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        return logger
    }

    /// A registry with the storage-local plugin loaded and one instance rooted in `root`.
    public static func localStorage(root: String, name: String = "media") throws -> (PluginRegistry, StorageClient) {
        let registry = PluginRegistry(environment: HostEnvironment(logger: quietLogger(), version: "test"), workerThreads: 4)
        try registry.loadModule(at: storageLocalModule)
        let errors = registry.createInstances([
            InstanceConfig(name: name, pluginID: "org.kinora.storage-local", settings: .object(["root": .string(root)]))
        ])
        guard errors.isEmpty else { throw TestFailure("storage-local refused: \(errors)") }
        registry.startAll()
        guard let client = registry.storage(named: name) else {
            throw TestFailure("storage-local instance did not start: \(registry.instances.map { $0.lastError ?? "" })")
        }
        return (registry, client)
    }

    /// Runs a program to completion and returns its exit status and combined output.
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil
    ) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let pipe = try PrivatePipe()
        process.standardOutput = pipe.fileHandleForWriting
        process.standardError = pipe.fileHandleForWriting
        try process.run(closingChildEndsOf: pipe)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        return (process.waitForExit(), String(decoding: data, as: UTF8.self))
    }

    /// Compiles a C plugin fixture with `cc` alone, as a third party would.
    public static func compileCPlugin(_ source: String, output: String, extraFlags: [String] = []) throws {
        let result = try run(
            "/usr/bin/cc",
            [
                "-std=c11", "-shared", "-fPIC", "-fvisibility=hidden", "-Wall", "-Werror", "-Wl,-z,defs",
                "-I", abiInclude, "-o", output, source,
            ] + extraFlags)
        guard result.status == 0 else { throw TestFailure("cc failed for \(source):\n\(result.output)") }
    }

}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
