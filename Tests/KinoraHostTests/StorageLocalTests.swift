import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraPluginConformance
import KinoraTestSupport
import Testing

/// The bundled storage-local plugin against the conformance suite every storage plugin passes,
/// plus what only a local backend promises.
@Suite struct StorageLocalTests {
    // The memory-measuring case runs alone in its own process (below): other suites running
    // in this one would move its resident-memory figure.
    @Test(arguments: StorageConformance.cases.filter { !$0.measuresMemory })
    func conformance(_ check: ConformanceCase) async throws {
        let root = try TestEnvironment.makeTemporaryDirectory("storage-local")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (registry, storage) = try TestEnvironment.localStorage(root: root)
        // The suite drives the instance's raw C tables, as it would any plugin's.
        try await check.run(PluginUnderTest(storage.instance.rawPlugin))
        await registry.stopAll()
    }

    @Test func localFileFastPathPointsAtTheStoredFile() async throws {
        let root = try TestEnvironment.makeTemporaryDirectory("storage-local")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (registry, storage) = try TestEnvironment.localStorage(root: root)
        try await storage.put("videos/v1/master.m3u8", bytes: Array("#EXTM3U\n".utf8))
        let path = try #require(try storage.localPath("videos/v1/master.m3u8"))
        #expect(path == root + "/videos/v1/master.m3u8")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "#EXTM3U\n")
        #expect(throws: PluginCallError.self) { try storage.localPath("../outside") }
        #expect(try storage.presign("videos/v1/master.m3u8", ttlSeconds: 60) == nil)
        await registry.stopAll()
    }

    @Test func nothingIsWrittenOutsideTheRootAndTemporariesAreHidden() async throws {
        let parent = try TestEnvironment.makeTemporaryDirectory("storage-local")
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let root = parent + "/root"
        let (registry, storage) = try TestEnvironment.localStorage(root: root)
        for key in ["../sibling", ".kinora-tmp/x", "a/../../sibling"] {
            await #expect(throws: PluginCallError.self) { try await storage.put(key, bytes: [1]) }
        }
        try await storage.put("inside", bytes: [1])
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent) == ["root"])
        #expect(try await storage.list().objects.map(\.key) == ["inside"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/.kinora-tmp").isEmpty)
        await registry.stopAll()
    }

    @Test func storingAFileUsesItsBytesExactly() async throws {
        let root = try TestEnvironment.makeTemporaryDirectory("storage-local")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (registry, storage) = try TestEnvironment.localStorage(root: root + "/objects")
        let source = root + "/source.bin"
        let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 * 31) }
        #expect(FileManager.default.createFile(atPath: source, contents: Data(bytes)))
        let info = try await storage.put("copied/file.bin", contentType: "application/octet-stream", file: source)
        #expect(info.size == 3_000_000)
        #expect(try await storage.read("copied/file.bin", limit: 4_000_000) == bytes)
        await #expect(throws: PluginCallError.self) { try await storage.put("x", file: root + "/missing") }
        await registry.stopAll()
    }

    @Test func anUnwritableRootFailsTheInstanceWithAReason() async throws {
        let registry = PluginRegistry(environment: HostEnvironment(logger: TestEnvironment.quietLogger(), version: "test"), workerThreads: 1)
        try registry.loadModule(at: TestEnvironment.storageLocalModule)
        registry.createInstances([
            InstanceConfig(name: "media", pluginID: "org.kinora.storage-local", settings: ["root": "/proc/kinora-cannot-exist"])
        ])
        registry.startAll()
        let instance = try #require(registry.instance(named: "media"))
        #expect(instance.state == .failed)
        #expect(instance.lastError?.contains("/proc/kinora-cannot-exist") == true)
        #expect(registry.storage(named: "media") == nil)
        await registry.stopAll()
    }
}

extension StorageLocalTests {
    @Test func aKeyThatIsAFolderOfAnotherIsRefusedClearly() async throws {
        let root = try TestEnvironment.makeTemporaryDirectory("storage-local")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (registry, storage) = try TestEnvironment.localStorage(root: root)
        try await storage.put("a/b", bytes: [1])
        let folder = await #expect(throws: PluginCallError.self) { try await storage.put("a", bytes: [2]) }
        #expect(folder?.status == .alreadyExists)
        let file = await #expect(throws: PluginCallError.self) { try await storage.put("a/b/c", bytes: [3]) }
        #expect(file?.status == .alreadyExists)
        #expect(try await storage.read("a/b") == [1])
        await registry.stopAll()
    }
}

extension StorageLocalTests {
    @Test func streamingARangeYieldsExactlyThoseBytesAndStopsWhenTheConsumerDoes() async throws {
        let root = try TestEnvironment.makeTemporaryDirectory("storage-local")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (registry, storage) = try TestEnvironment.localStorage(root: root)
        let bytes = (0..<(5 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        try await storage.put("videos/x/seg-00001.m4s", bytes: bytes)
        var received: [UInt8] = []
        for try await buffer in storage.stream("videos/x/seg-00001.m4s", range: 1000...(4 << 20)) {
            received += buffer.readableBytesView
        }
        #expect(received == Array(bytes[1000...(4 << 20)]))
        // A consumer that stops after one chunk must not leave the plugin blocked forever.
        for try await _ in storage.stream("videos/x/seg-00001.m4s", range: 0...Int64(bytes.count - 1)) { break }
        let info = try await storage.stat("videos/x/seg-00001.m4s")  // the pool still answers
        #expect(info.size == Int64(bytes.count))
        await registry.stopAll()
    }
}

extension StorageLocalTests {
    @Test func theWholeConformanceSuitePassesThroughTheCLIIncludingTheLargeObject() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("conformance-cli")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try await TestEnvironment.runOffPool(TestEnvironment.kinoraExecutable, ["plugin", "conformance", "media", "--data-dir", dir])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("✔ large-object"), "\(result.output)")
        #expect(result.output.split(separator: "\n").filter { $0.hasPrefix("✔") }.count == StorageConformance.cases.count)

        try "x".write(toFile: dir + "/media/leftover", atomically: true, encoding: .utf8)
        let busy = try await TestEnvironment.runOffPool(TestEnvironment.kinoraExecutable, ["plugin", "conformance", "media", "--data-dir", dir])
        #expect(busy.status != 0 && busy.output.contains("not empty"))
    }
}
