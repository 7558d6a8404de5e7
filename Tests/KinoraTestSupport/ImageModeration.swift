import Foundation

extension TestEnvironment {
    /// The bundled image moderation plugin (Plugins/moderation-image).
    public static var imageModerationModule: String { buildDirectory + "/libkinora-moderation-image.so" }

    /// Writes a tiny ONNX model with Tests/Fixtures/python/make_color_model.py (PyPI `onnx`, in
    /// the tests' virtual environment) whose score is sigmoid(8 × (mean red − mean blue)):
    /// ~1 for a red picture, ~0 for a blue one. `options` are the script's (`--layout nhwc`,
    /// `--two`, `--logits`). Returns `path`.
    @discardableResult
    public static func makeColorModel(_ path: String, options: [String] = []) throws -> String {
        let result = try run(try testPython(), [pythonFixture("make_color_model.py"), path] + options)
        guard result.status == 0, FileManager.default.fileExists(atPath: path) else {
            throw TestFailure("make_color_model.py failed (\(result.status)):\n\(result.output)")
        }
        return path
    }

    /// A JPEG of one colour (an ffmpeg `color` source name or 0xRRGGBB), `size` pixels.
    public static func makeColorJPEG(_ color: String, size: String = "320x180") throws -> [UInt8] {
        let path = NSTemporaryDirectory() + "kinora-color-\(UUID().uuidString.prefix(8)).jpg"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try run("/usr/bin/ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "color=\(color):s=\(size)", "-frames:v", "1", path])
        guard result.status == 0, let data = FileManager.default.contents(atPath: path) else {
            throw TestFailure("ffmpeg could not make a \(color) JPEG: \(result.output)")
        }
        return Array(data)
    }
}
