import Foundation
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraStore
import KinoraTestSupport
import Testing

/// Pictures through the pipeline with the real plugins loaded with dlopen: the image
/// classifier on a model the test makes (red scores ~1, blue ~0) beside the word list, which
/// answers unsupported for pictures (a pass); then a video's pictures screened into the queue.
@Suite(.serialized) struct VideoScreeningTests {
    static let model: Result<String, any Error> = Result {
        try TestEnvironment.makeColorModel(try TestEnvironment.makeTemporaryDirectory("screening-model") + "/red.onnx")
    }

    static func registry() throws -> PluginRegistry {
        let registry = PluginRegistry(environment: HostEnvironment(logger: TestEnvironment.quietLogger(), version: "test"), workerThreads: 2)
        try registry.loadModule(at: TestEnvironment.wordlistModule)
        try registry.loadModule(at: TestEnvironment.imageModerationModule)
        let errors = registry.createInstances([
            InstanceConfig(name: "words", pluginID: "org.kinora.moderation-wordlist", settings: ["words": ["spam"]]),
            InstanceConfig(name: "images", pluginID: "org.kinora.moderation-image", settings: ["model": .string(try model.get()), "input_width": 64, "input_height": 64]),
        ])
        guard errors.isEmpty else { throw TestFailure("\(errors)") }
        registry.startAll()
        return registry
    }

    func policy(_ classifiers: [String], hold: Double = 0.5, remove: Double = 0.9, onFailure: ModerationConfig.FailureAction = .hold) -> ModerationConfig {
        var policy = ModerationConfig()
        policy.classifiers = classifiers
        policy.classifierTimeoutMs = 30_000  // a loaded CI machine must not turn answers into timeouts
        policy.holdScore = hold
        policy.removeScore = remove
        policy.onFailure = onFailure
        return policy
    }

    @Test func aPictureIsClassifiedUnderTheTextPolicy() async throws {
        let registry = try Self.registry()
        defer { Task { await registry.stopAll() } }
        let red = try TestEnvironment.makeColorJPEG("red"), blue = try TestEnvironment.makeColorJPEG("blue")
        let pipeline = ModerationPipeline(registry: registry, policy: policy(["words", "images"]))

        let removed = await pipeline.classify(media: red, mediaType: "image/jpeg")
        #expect(removed.action == .remove, "\(removed)")
        #expect(removed.signals.first?.outcome == .unsupported, "the word list passes on pictures: \(removed.signals)")
        #expect(removed.signals.last?.classifier == "images" && (removed.signals.last?.topScore ?? 0) > 0.99, "\(removed.signals)")
        #expect(await pipeline.classify(media: blue, mediaType: "image/jpeg").action == .publish)
        // The same score held, not removed, under a lenient remove_score; text is the word list's alone.
        #expect(await ModerationPipeline(registry: registry, policy: policy(["words", "images"], remove: 1)).classify(media: red, mediaType: "image/jpeg").action == .hold)
        let text = await pipeline.classify(text: "no spam here")
        #expect(text.action == .remove && text.signals.last?.outcome == .unsupported, "the image plugin passes on text: \(text)")

        // A damaged picture is the classifier failing: on_failure decides.
        let damaged = Array(red.prefix(red.count / 2))
        let held = await pipeline.classify(media: damaged, mediaType: "image/jpeg")
        #expect(held.action == .hold && held.rule?.contains("classifier images failed") == true, "\(held)")
        #expect(await ModerationPipeline(registry: registry, policy: policy(["images"], onFailure: .publish)).classify(media: damaged, mediaType: "image/jpeg").action == .publish)
        #expect(await ModerationPipeline(registry: registry, policy: policy([])).classify(media: red, mediaType: "image/jpeg") == .clean)
    }

    @Test func aVideosPicturesHoldItOrMakeItPrivateAndQueueIt() async throws {
        let registry = try Self.registry()
        defer { Task { await registry.stopAll() } }
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let owner = try fixture.user("cora")
        for id in ["redvid", "heldvid", "bluevid"] { try fixture.video(id, owner: owner.id) }
        let red = try TestEnvironment.makeColorJPEG("red"), blue = try TestEnvironment.makeColorJPEG("blue")
        func screening(remove: Double = 0.9) -> VideoScreening {
            VideoScreening(database: fixture.database, moderation: ModerationPipeline(registry: registry, policy: policy(["words", "images"], remove: remove)))
        }
        let pictures = { (colours: [[UInt8]]) in colours.enumerated().map { VideoScreening.Picture(name: "thumbs/candidate-\($0.offset + 1).jpg", bytes: $0.element) } }

        // One red frame among blue ones is enough; removed: held, private at once, queued.
        let removed = try await screening().screenPictures(of: "redvid", pictures([blue, blue, red, blue, blue]))
        #expect(removed.action == .remove, "\(removed)")
        let redVideo = try #require(try fixture.database.videos.find("redvid"))
        #expect(redVideo.visibility == "private" && redVideo.moderationHold)
        let queue = try fixture.database.moderation.queue(limit: 10, cursor: nil).items
        let item = try #require(queue.first { $0.targetType == .video && $0.targetID == "redvid" }, "\(queue)")
        #expect(item.hidden)
        let top = try #require(item.signals.filter { $0.kind == .classifier }.max { ($0.score ?? 0) < ($1.score ?? 0) })
        #expect(top.source == "images" && top.label == "nsfw" && (top.score ?? 0) > 0.99 && top.detail == "thumbs/candidate-3.jpg", "\(item.signals)")
        #expect(item.signals.contains { $0.kind == .rule && $0.detail?.contains("remove_score") == true }, "\(item.signals)")
        #expect(!item.signals.contains { $0.source == "words" }, "the word list passes on pictures: \(item.signals)")

        // Held (remove_score 1): out of sight for everyone but its owner and moderators, its
        // visibility untouched, until a moderator decides.
        #expect(try await screening(remove: 1).screenPictures(of: "heldvid", pictures([red])).action == .hold)
        let held = try #require(try fixture.database.videos.find("heldvid"))
        #expect(held.visibility == "public" && held.moderationHold)
        #expect(!VideoVisibility.canSee(held, .anonymous) && VideoVisibility.canSee(held, Viewer(userID: owner.id, isAdmin: false)))

        // Blue stays public and out of the queue.
        #expect(try await screening().screenPictures(of: "bluevid", pictures([blue, blue])).action == .publish)
        let blueVideo = try #require(try fixture.database.videos.find("bluevid"))
        #expect(blueVideo.visibility == "public" && !blueVideo.moderationHold && VideoVisibility.canSee(blueVideo, .anonymous))
        #expect(try fixture.database.moderation.queue(limit: 10, cursor: nil).items.contains { $0.targetID == "bluevid" } == false)
    }

    @Test func theCandidatesAreThePicturesAndThePosterIsNamed() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("screening-pictures")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/thumbs", withIntermediateDirectories: true)
        for (name, byte) in [("candidate-1", 1), ("candidate-2", 2), ("candidate-3", 3)] as [(String, UInt8)] {
            try Data([0xFF, 0xD8, byte]).write(to: URL(fileURLWithPath: dir + "/thumbs/\(name).jpg"))
        }
        try Data([0xFF, 0xD8, 2]).write(to: URL(fileURLWithPath: dir + "/thumbs/poster.jpg"))
        let names = VideoScreening.pictures(candidates: (1...3).map { "thumbs/candidate-\($0).jpg" }, poster: "thumbs/poster.jpg", in: dir).map(\.name)
        #expect(names == ["thumbs/candidate-1.jpg", "thumbs/candidate-2.jpg (poster)", "thumbs/candidate-3.jpg"])
        // A poster that is no candidate's copy is screened too, first.
        try Data([0xFF, 0xD8, 9]).write(to: URL(fileURLWithPath: dir + "/thumbs/poster.jpg"))
        let more = VideoScreening.pictures(candidates: ["thumbs/candidate-1.jpg"], poster: "thumbs/poster.jpg", in: dir).map(\.name)
        #expect(more == ["thumbs/poster.jpg (poster)", "thumbs/candidate-1.jpg"])
    }
}
