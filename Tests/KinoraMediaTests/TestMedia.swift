import Foundation
import KinoraHost
import KinoraTestSupport
import Testing

/// Test media made on the spot with the ffmpeg CLI, in a temporary folder removed afterwards.
/// A missing ffmpeg/ffprobe is a test failure, never a skip.
final class TestMedia {
    struct ToolFailure: Error, CustomStringConvertible {
        var description: String
    }

    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("kinora-media-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    func path(_ name: String) -> String {
        folder.appendingPathComponent(name).path
    }

    /// Runs `ffmpeg -nostdin -v error -y <arguments>`; throws with ffmpeg's stderr on failure.
    @discardableResult
    func ffmpeg(_ arguments: [String]) throws -> String {
        try Self.run(tool: "ffmpeg", ["-nostdin", "-hide_banner", "-v", "error", "-y"] + arguments)
    }

    /// `ffprobe -show_streams -show_format` as JSON.
    func ffprobe(_ path: String) throws -> [String: Any] {
        let output = try Self.run(
            tool: "ffprobe",
            ["-v", "error", "-show_streams", "-show_format", "-of", "json", path]
        )
        let object = try JSONSerialization.jsonObject(with: Data(output.utf8))
        guard let json = object as? [String: Any] else { throw ToolFailure(description: "ffprobe printed no JSON object") }
        return json
    }

    func ffprobeStreams(_ path: String) throws -> [[String: Any]] {
        try ffprobe(path)["streams"] as? [[String: Any]] ?? []
    }

    // MARK: Makers

    /// testsrc2 (H.264, yuv420p, 25 fps) plus a sine tone (AAC) in MP4.
    func video(
        _ name: String,
        size: String = "640x360",
        seconds: Int = 2,
        audio: Bool = true,
        videoOptions: [String] = [],
        outputOptions: [String] = []
    ) throws -> String {
        var arguments = ["-f", "lavfi", "-i", "testsrc2=size=\(size):rate=25:duration=\(seconds)"]
        if audio {
            arguments += ["-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds)"]
        }
        arguments += ["-c:v", "libx264", "-pix_fmt", "yuv420p"] + videoOptions
        if audio { arguments += ["-c:a", "aac"] }
        arguments += outputOptions + [path(name)]
        try ffmpeg(arguments)
        return path(name)
    }

    /// The first `fraction` of a file's bytes, as a new file.
    func truncated(_ source: String, fraction: Double, name: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: source))
        let kept = data.prefix(Int(Double(data.count) * fraction))
        try kept.write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }

    func write(_ text: String, name: String) throws -> String {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }

    /// The four bytes after "avcC" in an MP4 (version, profile_idc, constraint flags, level_idc).
    func avcConfiguration(_ path: String) throws -> [UInt8] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let range = data.range(of: Data("avcC".utf8)), range.upperBound + 4 <= data.count else {
            throw ToolFailure(description: "no avcC box in \(path)")
        }
        return Array(data[range.upperBound..<range.upperBound + 4])
    }

    // MARK: Running tools

    @discardableResult
    static func run(tool: String, _ arguments: [String], workingDirectory: URL? = nil) throws -> String {
        String(decoding: try runData(tool: tool, arguments, workingDirectory: workingDirectory), as: UTF8.self)
    }

    /// The tool's standard output as bytes (decoded samples, for instance).
    static func runData(tool: String, _ arguments: [String], workingDirectory: URL? = nil) throws -> Data {
        guard let executable = find(tool) else {
            throw ToolFailure(description: "\(tool) is not installed (apt install ffmpeg): the media tests need it")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        let output = try PrivatePipe()
        let errors = try PrivatePipe()
        process.standardOutput = output.fileHandleForWriting
        process.standardError = errors.fileHandleForWriting
        process.standardInput = FileHandle.nullDevice
        try process.run(closingChildEndsOf: output, errors)
        // Read before waiting: a full pipe would block the tool.
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        // waitpid, not waitUntilExit(): a CI run hung with two media tests in waitUntilExit()
        // (see KinoraTestSupport's ProcessExit).
        let status = process.waitForExit()
        guard status == 0 else {
            let message = String(decoding: errorData, as: UTF8.self)
            throw ToolFailure(description: "\(tool) \(arguments.joined(separator: " ")) failed (\(status)): \(message)")
        }
        return outputData
    }

    static func find(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") + ["/usr/bin", "/usr/local/bin"] {
            let candidate = "\(folder)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
