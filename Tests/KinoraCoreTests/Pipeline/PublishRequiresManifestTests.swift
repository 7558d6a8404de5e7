import Foundation
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraMediaContract
import KinoraStore
import KinoraTestSupport
import Testing

/// A video becomes playable (its presentation recorded) and ready only once at least one
/// manifest is stored: with no packager, or only failing ones, publishing fails with a reason
/// an administrator can act on, and players are never sent to a manifest that does not exist.
@Suite struct PublishRequiresManifestTests {
    let folder: String
    let database: KinoraDatabase

    init() throws {
        let made = try TestEnvironment.migratedDatabase("publish-manifest")
        database = made.database
        folder = made.folder
        try database.videos.create(
            VideoRecord(
                id: "v1", title: "V", visibility: "public", originalKey: nil, originalName: nil,
                originalSize: 1, duration: 4, width: 640, height: 360, mediaInfo: nil))
    }

    /// Storage-local rooted in the test folder, plus the packager modules given.
    func registry(packagers: [(module: String, plugin: String, name: String)]) throws -> (PluginRegistry, StorageClient) {
        let (registry, storage) = try TestEnvironment.localStorage(root: folder + "/media")
        for packager in packagers {
            try registry.loadModule(at: packager.module)
            let errors = registry.createInstances([InstanceConfig(name: packager.name, pluginID: packager.plugin)])
            guard errors.isEmpty else { throw TestFailure("\(errors)") }
        }
        registry.startAll()
        return (registry, storage)
    }

    func failingPackager() throws -> String {
        let output = folder + "/failing_packager.so"
        try TestEnvironment.compileCPlugin(TestEnvironment.repositoryRoot + "/Tests/Fixtures/plugins/failing_packager.c", output: output)
        return output
    }

    let rendition = Rendition(
        id: "360p", type: .video, codecs: "avc1.64001e", bandwidth: 800_000, averageBandwidth: 700_000, width: 640, height: 360,
        frameRate: 30, timescale: 90000, init: "360p/init.mp4",
        segments: [Rendition.Segment(uri: "360p/seg-00001.m4s", start: 0, duration: 360_000, size: 1000)])

    @Test func withoutAPackagerTheVideoIsNeitherPlayableNorReady() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (registry, storage) = try registry(packagers: [])
        #expect(registry.playbackProblem == "no packager instance is configured: uploaded videos cannot be played")
        let error = await #expect(throws: NoManifestWritten.self) {
            try await Publisher(database: database, registry: registry).publish("v1", renditions: [rendition], ready: true, storage: storage)
        }
        let reason = IngestFailure.reason(try #require(error))
        #expect(reason.hasPrefix("No packager instance is started") && reason.contains("org.kinora.packager-hls"), "\(reason)")
        #expect(try database.videos.presentation("v1") == nil)
        #expect(try database.videos.find("v1")?.status == "processing")
        await registry.stopAll()
    }

    @Test func whenEveryPackagerFailsTheReasonNamesThemAndNothingIsPublished() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (registry, storage) = try registry(packagers: [(try failingPackager(), "org.kinora.test.failing-packager", "broken")])
        #expect(registry.playbackProblem == nil)
        let error = await #expect(throws: NoManifestWritten.self) {
            try await Publisher(database: database, registry: registry).publish("v1", renditions: [rendition], ready: true, storage: storage)
        }
        let reason = IngestFailure.reason(try #require(error))
        #expect(reason.contains("packager \"broken\" failed (invalid argument): renditions[0]: this packager understands none"), "\(reason)")
        #expect(try database.videos.presentation("v1") == nil)
        #expect(try database.videos.find("v1")?.status == "processing")
        await registry.stopAll()
    }

    @Test func oneWorkingPackagerIsEnoughToPublish() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (registry, storage) = try registry(packagers: [
            (try failingPackager(), "org.kinora.test.failing-packager", "broken"),
            (TestEnvironment.buildDirectory + "/libkinora-packager-hls.so", "org.kinora.packager-hls", "hls"),
        ])
        try await Publisher(database: database, registry: registry).publish("v1", renditions: [rendition], ready: true, storage: storage)
        #expect(try database.videos.presentation("v1") != nil)
        #expect(try database.videos.find("v1")?.status == "ready")
        #expect(try await storage.stat(VideoObjects("v1").key("master.m3u8")).size > 0)
        await registry.stopAll()
    }
}
