import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraTestSupport
import Testing

/// Installed modules are listed from a child's inspection; only those an instance names are
/// mapped into the process.
@Suite struct LazyLoadingTests {
    let scratch: String

    init() throws { scratch = try TestEnvironment.makeTemporaryDirectory("lazy-loading") }

    func registry() -> PluginRegistry {
        PluginRegistry(environment: HostEnvironment(logger: TestEnvironment.quietLogger(), version: "test"), workerThreads: 2)
    }

    /// Copies of the bundled modules at paths no other test loads, so /proc/self/maps tells
    /// whether THIS registry mapped them.
    func installTwoModules() throws -> (folder: String, used: String, unused: String) {
        let folder = scratch + "/plugins"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let used = folder + "/wordlist-copy.so", unused = folder + "/storage-local-copy.so"
        try FileManager.default.copyItem(atPath: TestEnvironment.wordlistModule, toPath: used)
        try FileManager.default.copyItem(atPath: TestEnvironment.storageLocalModule, toPath: unused)
        return (folder, used, unused)
    }

    @Test func onlyTheModuleAnInstanceNamesIsMappedButBothAreListed() async throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let (folder, used, unused) = try installTwoModules()
        let registry = registry()
        let refused = registry.discoverModules(
            from: [folder],
            inspector: CachingInspector(
                cacheFile: scratch + "/cache.json", inner: ChildProcessInspector(executable: TestEnvironment.kinoraExecutable)))
        #expect(refused.isEmpty, "\(refused.map(\.reason))")
        #expect(Set(registry.installedModules.flatMap { $0.plugins.map(\.id) }) == ["org.kinora.moderation-wordlist", "org.kinora.storage-local"])
        #expect(registry.installedModules.first { $0.path == unused }?.plugins.first?.interfaces.contains("kinora.storage/1") == true)
        #expect(registry.modules.isEmpty, "inspection must not load anything in this process")

        let errors = registry.createInstances([
            InstanceConfig(name: "words", pluginID: "org.kinora.moderation-wordlist", settings: ["words": ["spam"], "label": "blocklist"])
        ])
        #expect(errors.isEmpty, "\(errors)")
        registry.startAll()
        #expect(registry.instance(named: "words")?.state == .started)
        #expect(registry.isLoaded(used) && !registry.isLoaded(unused))
        let maps = readProcFile("/proc/self/maps")
        #expect(maps.contains(used))
        #expect(!maps.contains(unused), "the unused module is mapped")
        await registry.stopAll()
    }

    @Test func anInstanceOfAnUninstalledPluginNamesWhatIsInstalled() throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let (folder, _, _) = try installTwoModules()
        let registry = registry()
        registry.discoverModules(from: [folder], inspector: ChildProcessInspector(executable: TestEnvironment.kinoraExecutable))
        let errors = registry.createInstances([InstanceConfig(name: "s3", pluginID: "org.kinora.storage-s3", settings: [:])])
        let message = errors.first?.description ?? ""
        #expect(message.contains("org.kinora.storage-s3") && message.contains("org.kinora.storage-local"), "\(message)")
    }

    @Test func aModuleThatCannotBeInspectedIsRefusedWithTheReasonAndTheOthersListed() throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let (folder, _, _) = try installTwoModules()
        try "not a library\n".write(toFile: folder + "/notes.so", atomically: true, encoding: .utf8)
        let registry = registry()
        let refused = registry.discoverModules(from: [folder], inspector: ChildProcessInspector(executable: TestEnvironment.kinoraExecutable))
        #expect(refused.map(\.reason) == [folder + "/notes.so: not an ELF shared object (no ELF header)"])
        #expect(registry.moduleFailures.count == 1)
        #expect(registry.installedModules.count == 2)
    }
}

extension LazyLoadingTests {
    @Test func aModuleThatCrashesOrHangsWhileInspectedIsRefusedAndTheOthersAreListed() throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let (folder, _, _) = try installTwoModules()
        let source = TestEnvironment.repositoryRoot + "/Tests/Fixtures/plugins/misbehaving_init.c"
        try TestEnvironment.compileCPlugin(source, output: folder + "/a-crash.so", extraFlags: ["-DCRASH"])
        try TestEnvironment.compileCPlugin(source, output: folder + "/b-hang.so", extraFlags: ["-DHANG"])
        let registry = registry()
        let started = Date()
        let inspector = ChildProcessInspector(executable: TestEnvironment.kinoraExecutable, timeoutSeconds: 2)
        let refused = registry.discoverModules(from: [folder], inspector: inspector)
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(refused.count == 2)
        let crash = refused.first { $0.path.hasSuffix("a-crash.so") }?.reason ?? ""
        let hang = refused.first { $0.path.hasSuffix("b-hang.so") }?.reason ?? ""
        #expect(crash.contains("inspection crashed (signal 6)"), "\(crash)")
        #expect(hang.contains("inspection timed out after 2 s"), "\(hang)")
        #expect(Set(registry.installedModules.flatMap { $0.plugins.map(\.id) }) == ["org.kinora.moderation-wordlist", "org.kinora.storage-local"])
    }
}

/// The inspection cache: a restart inspects only what changed, and a broken cache costs
/// nothing but a fresh inspection.
@Suite struct InspectionCacheTests {
    /// Counts which files reach the real child inspector.
    final class Counting: ModuleInspector, @unchecked Sendable {
        let inner = ChildProcessInspector(executable: TestEnvironment.kinoraExecutable)
        let lock = NSLock()
        var asked: [[String]] = []
        func inspect(_ paths: [String]) -> [ModuleInspection] {
            lock.withLock { asked.append(paths) }
            return inner.inspect(paths)
        }
        var last: [String] { lock.withLock { asked.last ?? [] } }
    }

    @Test func aChangedFileIsReinspectedAndACorruptCacheIsRebuilt() throws {
        let scratch = try TestEnvironment.makeTemporaryDirectory("inspection-cache")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let a = scratch + "/a.so", b = scratch + "/b.so", cacheFile = scratch + "/plugin-modules.json"
        try FileManager.default.copyItem(atPath: TestEnvironment.wordlistModule, toPath: a)
        try FileManager.default.copyItem(atPath: TestEnvironment.storageLocalModule, toPath: b)
        let counting = Counting()
        let cache = CachingInspector(cacheFile: cacheFile, inner: counting)

        let first = cache.inspect([a, b])
        #expect(first.map { $0.module?.plugins.first?.id } == ["org.kinora.moderation-wordlist", "org.kinora.storage-local"])
        #expect(counting.asked == [[a, b]])

        // Unchanged files: answered from the cache, no child at all.
        #expect(cache.inspect([a, b]) == first)
        #expect(counting.asked.count == 1)

        // A module replaced by another build (here: the other module's bytes) is inspected again.
        try FileManager.default.removeItem(atPath: a)
        try FileManager.default.copyItem(atPath: TestEnvironment.storageLocalModule, toPath: a)
        let changed = cache.inspect([a, b])
        #expect(counting.last == [a])
        #expect(changed[0].module?.plugins.first?.id == "org.kinora.storage-local")

        // A corrupt cache is ignored, everything is inspected, and the cache is whole again.
        try "{\"stamp\": 12, \"modu".write(toFile: cacheFile, atomically: true, encoding: .utf8)
        #expect(cache.inspect([a, b]).map(\.path) == [a, b])
        #expect(counting.last == [a, b])
        _ = cache.inspect([a, b])
        #expect(counting.asked.count == 3, "the rebuilt cache is used")
        let rebuilt = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cacheFile))) as? [String: Any]
        #expect((rebuilt?["modules"] as? [Any])?.count == 2)
    }

    @Test func refusalsAreNotCachedSoAFixedDependencyIsSeen() throws {
        let scratch = try TestEnvironment.makeTemporaryDirectory("inspection-cache")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let bad = scratch + "/bad.so"
        try "not yet a library\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let counting = Counting()
        let cache = CachingInspector(cacheFile: scratch + "/cache.json", inner: counting)
        #expect(cache.inspect([bad]).first?.refusal?.contains("not an ELF shared object") == true)
        #expect(cache.inspect([bad]).first?.refusal != nil)
        #expect(counting.asked == [[bad], [bad]])
    }
}
