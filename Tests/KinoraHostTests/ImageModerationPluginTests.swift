import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraPluginConformance
import KinoraTestSupport
import Testing

/// The bundled image classifier (`Plugins/moderation-image`, C and C++ on OpenCV's DNN
/// module), loaded with dlopen by the daemon's own registry and given a model the test makes
/// with PyPI `onnx`: sigmoid(8 × (mean red − mean blue)). Real plugin, real OpenCV, real JPEGs.
@Suite(.serialized) struct ImageModerationPluginTests {
    static let models: Result<String, any Error> = Result {
        let dir = try TestEnvironment.makeTemporaryDirectory("image-models")
        try TestEnvironment.makeColorModel(dir + "/red.onnx")
        try TestEnvironment.makeColorModel(dir + "/pair-nhwc.onnx", options: ["--layout", "nhwc", "--two"])
        try TestEnvironment.makeColorModel(dir + "/logits.onnx", options: ["--two", "--logits"])
        return dir
    }

    static func registry(_ instances: [String: JSONValue]) throws -> (PluginRegistry, [ConfigError]) {
        let registry = PluginRegistry(environment: HostEnvironment(logger: TestEnvironment.quietLogger(), version: "test"), workerThreads: 2)
        try registry.loadModule(at: TestEnvironment.imageModerationModule)
        let errors = registry.createInstances(
            instances.sorted { $0.key < $1.key }.map {
                InstanceConfig(name: $0.key, pluginID: "org.kinora.moderation-image", settings: $0.value, file: "/etc/kinora/plugins.d/\($0.key).toml")
            })
        registry.startAll()
        return (registry, errors)
    }

    func client(_ registry: PluginRegistry, _ name: String) throws -> ModerationClient {
        try #require(registry.moderation(named: name), "instance \(name): \(registry.instance(named: name)?.lastError ?? "not created")")
    }

    /// The labels of an answer, by name.
    func scores(_ answer: JSONValue) -> [String: Double] {
        var scores: [String: Double] = [:]
        for label in answer["labels"]?.arrayValue ?? [] {
            if let name = label["name"]?.stringValue, let score = label["score"]?.doubleValue { scores[name] = score }
        }
        return scores
    }

    func refusal(_ body: () async throws -> JSONValue) async -> PluginCallError? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error as? PluginCallError
        }
    }

    @Test func aRedPictureScoresHighABlueOneLowAndOnlyJPEGIsHandled() async throws {
        let dir = try Self.models.get()
        let (registry, errors) = try Self.registry(["images": ["model": .string(dir + "/red.onnx"), "input_width": 96, "input_height": 64]])
        defer { Task { await registry.stopAll() } }
        #expect(errors.isEmpty, "\(errors)")
        let images = try client(registry, "images")

        let red = scores(try await images.classify(media: try TestEnvironment.makeColorJPEG("red"), mediaType: "image/jpeg"))
        let blue = scores(try await images.classify(media: try TestEnvironment.makeColorJPEG("blue"), mediaType: "image/jpeg"))
        let grey = scores(try await images.classify(media: try TestEnvironment.makeColorJPEG("0x808080", size: "1920x1080"), mediaType: "image/jpeg"))
        #expect(Array(red.keys) == ["nsfw"], "the default label: \(red)")
        #expect((red["nsfw"] ?? 0) > 0.99, "red: \(red)")
        #expect((blue["nsfw"] ?? 1) < 0.01, "blue: \(blue)")
        #expect(abs((grey["nsfw"] ?? 0) - 0.5) < 0.02, "a large grey picture, scaled down while decoded: \(grey)")

        // Text and other media are not this plugin's: unsupported, which the pipeline counts as a pass.
        #expect(await refusal { try await images.classify(text: "a comment") }?.status == .unsupported)
        #expect(await refusal { try await images.classify(media: [0x89, 0x50, 0x4E, 0x47], mediaType: "image/png") }?.status == .unsupported)

        // Damaged input is a clean refusal that says what is wrong, and the instance goes on working.
        let notJPEG = await refusal { try await images.classify(media: Array("<html>not a picture</html>".utf8), mediaType: "image/jpeg") }
        #expect(notJPEG?.status == .invalidArgument && notJPEG?.message.contains("not a JPEG") == true, "\(String(describing: notJPEG))")
        let whole = try TestEnvironment.makeColorJPEG("red")
        let cut = await refusal { try await images.classify(media: Array(whole.prefix(whole.count - 40)), mediaType: "image/jpeg") }
        #expect(cut?.status == .invalidArgument && cut?.message.contains("damaged") == true, "\(String(describing: cut))")
        var garbled = whole
        for i in stride(from: garbled.count / 2, to: garbled.count - 2, by: 3) { garbled[i] = 0xFF }
        #expect(await refusal { try await images.classify(media: garbled, mediaType: "image/jpeg") }?.status == .invalidArgument)
        #expect(await refusal { try await images.classify(media: [], mediaType: "image/jpeg") }?.status == .invalidArgument)
        #expect((scores(try await images.classify(media: whole, mediaType: "image/jpeg"))["nsfw"] ?? 0) > 0.99)
    }

    @Test func settingsShapeTheInputAndNameTheOutputs() async throws {
        let dir = try Self.models.get()
        let pair = dir + "/pair-nhwc.onnx"
        let (registry, errors) = try Self.registry([
            // TensorFlow's order, and the second value ("blueness") left out by an empty name.
            "nhwc": ["model": .string(pair), "layout": "nhwc", "labels": ["redness", ""]],
            // Fed as BGR, a model that expects RGB sees red as blue.
            "swapped": ["model": .string(pair), "layout": "nhwc", "channel_order": "bgr", "labels": ["redness", "blueness"]],
            // Raw logits made probabilities.
            "logits": ["model": .string(dir + "/logits.onnx"), "labels": ["redness", "blueness"], "activation": "softmax"],
            // A mean and std that turn every picture into the same grey: the score is 0.5.
            "flat": ["model": .string(dir + "/red.onnx"), "scale": 1, "mean": [0, 0, 0], "std": [1e6, 1e6, 1e6], "label": "unsafe"],
        ])
        defer { Task { await registry.stopAll() } }
        #expect(errors.isEmpty, "\(errors)")
        let red = try TestEnvironment.makeColorJPEG("red")

        let nhwc = scores(try await client(registry, "nhwc").classify(media: red, mediaType: "image/jpeg"))
        #expect(Array(nhwc.keys) == ["redness"] && (nhwc["redness"] ?? 0) > 0.99, "\(nhwc)")
        let swapped = try await client(registry, "swapped").classify(media: red, mediaType: "image/jpeg")
        #expect(swapped["labels"]?.arrayValue?.first?["name"]?.stringValue == "blueness", "highest first: \(swapped)")
        #expect((scores(swapped)["redness"] ?? 1) < 0.01, "\(swapped)")
        let logits = scores(try await client(registry, "logits").classify(media: red, mediaType: "image/jpeg"))
        #expect((logits["redness"] ?? 0) > 0.99 && (logits["blueness"] ?? 1) < 0.01, "\(logits)")
        #expect(abs((logits["redness"] ?? 0) + (logits["blueness"] ?? 0) - 1) < 1e-4, "softmax sums to 1: \(logits)")
        let flat = scores(try await client(registry, "flat").classify(media: red, mediaType: "image/jpeg"))
        #expect(abs((flat["unsafe"] ?? 0) - 0.5) < 0.01, "\(flat)")
    }

    @Test func aModelThatCannotBeUsedIsRefusedNamingTheSettingAndTheFile() async throws {
        let dir = try Self.models.get()
        let notAModel = dir + "/notes.txt"
        try "these are notes, not a network".write(toFile: notAModel, atomically: true, encoding: .utf8)
        let (registry, errors) = try Self.registry([
            "absent": ["model": "/nonexistent/kinora/nsfw.onnx"],
            "folder": ["model": .string(dir)],
            "garbage": ["model": .string(notAModel)],
            "unnamed": ["model": .string(dir + "/pair-nhwc.onnx"), "layout": "nhwc"],
            "miscounted": ["model": .string(dir + "/red.onnx"), "labels": ["a", "b", "c"]],
            "nomodel": ["label": "nsfw"],
        ])
        defer { Task { await registry.stopAll() } }
        // create() checks the file, so `kinora config check` says it too; the host's schema needs `model`.
        let absent = try #require(errors.first { $0.file.hasSuffix("absent.toml") }, "\(errors)")
        #expect(absent.message.contains("settings.model") && absent.message.contains("/nonexistent/kinora/nsfw.onnx"), "\(absent)")
        #expect(absent.message.contains("No such file or directory"), "\(absent)")
        let folder = try #require(errors.first { $0.file.hasSuffix("folder.toml") }, "\(errors)")
        #expect(folder.message.contains("not a regular file"), "\(folder)")
        #expect(errors.contains { $0.file.hasSuffix("nomodel.toml") && $0.key == "settings.model" && $0.message.contains("required") }, "\(errors)")
        #expect(registry.instance(named: "absent") == nil && registry.instance(named: "nomodel") == nil)

        // start() loads the network: what OpenCV cannot read, or an output the labels do not fit.
        let garbage = try #require(registry.instance(named: "garbage"))
        #expect(garbage.state == .failed && garbage.lastError?.contains("OpenCV cannot load") == true, "\(garbage.lastError ?? "")")
        #expect(garbage.lastError?.contains(notAModel) == true)
        let unnamed = try #require(registry.instance(named: "unnamed"))
        #expect(unnamed.state == .failed && unnamed.lastError?.contains("holds 2 values") == true, "\(unnamed.lastError ?? "")")
        let miscounted = try #require(registry.instance(named: "miscounted"))
        #expect(miscounted.state == .failed && miscounted.lastError?.contains("3 names for the 1 values") == true, "\(miscounted.lastError ?? "")")
    }

    @Test func theModerationConformanceSuitePasses() async throws {
        let dir = try Self.models.get()
        let host = try ConformanceHost(modulePath: TestEnvironment.imageModerationModule)
        defer { host.close() }
        let instance = try host.start(pluginID: "org.kinora.moderation-image", config: #"{"model":"\#(dir)/red.onnx"}"#)
        var failures: [String] = []
        for check in Conformance.cases(for: instance.plugin) {
            do { try await check.run(instance.plugin) } catch { failures.append("\(check.name): \(error)") }
        }
        #expect(failures.isEmpty, "\(failures)")
        // The suite's own sample picture is red.
        let verdict = try ModerationConformance.classify(instance.plugin, mediaType: "image/jpeg", source: ChunkSource(bytes: try TestEnvironment.makeColorJPEG("red")))
        #expect(verdict.contains(#""name":"nsfw""#), "\(verdict)")
    }
}
