import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraTestSupport
import Testing

/// The ABI contract as a third party meets it: modules built with `cc` alone, refused with
/// messages that name the file and the reason.
@Suite struct PluginLoadingTests {
    let scratch: String
    let fixtures = TestEnvironment.repositoryRoot + "/Tests/Fixtures/plugins"

    init() throws { scratch = try TestEnvironment.makeTemporaryDirectory("plugin-loading") }

    func registry() -> PluginRegistry {
        PluginRegistry(environment: HostEnvironment(logger: TestEnvironment.quietLogger(), version: "test"), workerThreads: 2)
    }

    func buildFixture(_ name: String) throws -> String {
        let output = scratch + "/\(name).so"
        try TestEnvironment.compileCPlugin(fixtures + "/\(name).c", output: output)
        return output
    }

    @Test func cPluginBuiltWithCcLoadsAndClassifiesText() async throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let module = scratch + "/wordlist.so"
        // Every .c file of the folder, as the plugin's README tells a third party to build it.
        let folder = TestEnvironment.repositoryRoot + "/Plugins/examples/moderation-wordlist"
        let kit = TestEnvironment.repositoryRoot + "/SDK/c/kit"
        var sources = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".c") }.sorted().map { folder + "/" + $0 }
        sources += try FileManager.default.contentsOfDirectory(atPath: kit).filter { $0.hasSuffix(".c") }.sorted().map { kit + "/" + $0 }
        try TestEnvironment.compileCPlugin(sources[0], output: module, extraFlags: ["-I" + kit] + Array(sources.dropFirst()))
        let exported = try TestEnvironment.run("/usr/bin/nm", ["-D", "--defined-only", module]).output
        #expect(
            exported.split(separator: "\n").filter { $0.contains(" T ") }.map { $0.split(separator: " ").last ?? "" } == ["kinora_module_entry_v1"])

        let registry = registry()
        let loaded = try registry.loadModule(at: module)
        #expect(loaded.abi.hasPrefix("1."))
        #expect(loaded.plugins.map(\.id) == ["org.kinora.moderation-wordlist"])
        let errors = registry.createInstances([
            InstanceConfig(
                name: "words", pluginID: "org.kinora.moderation-wordlist",
                settings: [
                    "words": ["merde", "spam"], "patterns": ["fr[e3]e +money"], "label": "blocklist",
                ])
        ])
        #expect(errors.isEmpty)
        registry.startAll()
        let classifier = try #require(registry.moderation(named: "words"))

        let flagged = try await classifier.classify(text: "Ça, c'est de la MERDÉ — and FREE   money!")
        let label = try #require(flagged["labels"]?.arrayValue?.first)
        #expect(label["name"]?.stringValue == "blocklist")
        #expect((label["score"]?.doubleValue ?? 0) > 0.5)

        let clean = try await classifier.classify(text: "A classic spamless sentence about merdeland.")
        #expect(clean["labels"]?.arrayValue?.isEmpty == true)
        await registry.stopAll()
    }

    @Test func wrongABIMajorIsRefusedNamingFileAndVersions() throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let module = try buildFixture("wrong_abi")
        let error = #expect(throws: PluginLoadError.self) { try registry().loadModule(at: module) }
        let message = error?.description ?? ""
        #expect(message.contains("wrong_abi.so"))
        #expect(message.contains("wants 1") && message.contains("has 2"), "message was: \(message)")
    }

    @Test func fileThatIsNotASharedObjectIsRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let text = scratch + "/notes.so"
        try "these are notes, not code\n".write(toFile: text, atomically: true, encoding: .utf8)
        let error = #expect(throws: PluginLoadError.self) { try registry().loadModule(at: text) }
        #expect(error?.description == "\(text): not an ELF shared object (no ELF header)")

        let empty = scratch + "/empty.so"
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        let emptyError = #expect(throws: PluginLoadError.self) { try registry().loadModule(at: empty) }
        #expect(emptyError?.description.contains("empty file") == true)

        let absent = #expect(throws: PluginLoadError.self) { try registry().loadModule(at: scratch + "/absent.so") }
        #expect(absent?.description == "\(scratch)/absent.so: cannot be read: No such file or directory")

        let executable = #expect(throws: PluginLoadError.self) { try registry().loadModule(at: "/bin/true") }
        #expect(executable?.description.contains("not a shared library") == true || executable?.description.contains("executable") == true)
    }

    @Test func libraryWithoutEntrySymbolIsRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let module = try buildFixture("no_entry")
        let error = #expect(throws: PluginLoadError.self) { try registry().loadModule(at: module) }
        #expect(error == .entryMissing(path: module))
        #expect(error?.description.contains("kinora_module_entry_v1 is missing") == true)
    }

    @Test func initFailureCarriesThePluginsOwnMessage() throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let module = try buildFixture("failing_init")
        let error = #expect(throws: PluginLoadError.self) { try registry().loadModule(at: module) }
        #expect(error?.description == "\(module): module init failed: licence file /opt/acme/licence.key is missing")
    }

    @Test func twoModulesWithTheSamePluginIDAreRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let copy = scratch + "/libkinora-moderation-wordlist-copy.so"
        try FileManager.default.copyItem(atPath: TestEnvironment.wordlistModule, toPath: copy)
        let registry = registry()
        try registry.loadModule(at: TestEnvironment.wordlistModule)
        let error = #expect(throws: PluginLoadError.self) { try registry.loadModule(at: copy) }
        #expect(error?.description.contains("duplicate plugin id \"org.kinora.moderation-wordlist\"") == true)
        #expect(error?.description.hasPrefix(copy) == true)
        #expect(registry.modules.count == 1)
        #expect(registry.moduleFailures.map(\.path) == [copy])
    }

    @Test func settingsThatBreakTheSchemaAreRefusedNamingTheKey() throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let registry = registry()
        try registry.loadModule(at: TestEnvironment.storageLocalModule)
        let errors = registry.createInstances([
            InstanceConfig(
                name: "media", pluginID: "org.kinora.storage-local", settings: ["root": 42, "colour": "blue"],
                file: "/etc/kinora/plugins.d/media.toml"),
            InstanceConfig(
                name: "other", pluginID: "org.kinora.storage-local", settings: ["root": "relative/path"], file: "/etc/kinora/plugins.d/other.toml"),
            InstanceConfig(name: "ghost", pluginID: "org.example.nothing", file: "/etc/kinora/plugins.d/ghost.toml"),
        ])
        let messages = errors.map(\.description)
        #expect(messages.contains { $0.hasPrefix("/etc/kinora/plugins.d/media.toml: settings.root:") && $0.contains("string") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("/etc/kinora/plugins.d/other.toml: settings.root:") && $0.contains("pattern") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("/etc/kinora/plugins.d/ghost.toml: plugin:") && $0.contains("org.example.nothing") }, "\(messages)")
        #expect(registry.instances.isEmpty)
        #expect(
            registry.validate(InstanceConfig(name: "m", pluginID: "org.kinora.storage-local", settings: ["root": "/srv", "colour": 1]))
                .map(\.key) == ["settings.colour"])
    }

    @Test func aPluginMayCompleteFromItsOwnThreadAfterReturning() async throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let module = try buildFixture("late_completion")
        let registry = registry()
        try registry.loadModule(at: module)
        #expect(registry.createInstances([InstanceConfig(name: "late", pluginID: "org.kinora.test.late-completion")]).isEmpty)
        registry.startAll()
        let storage = try #require(registry.storage(named: "late"))
        // The plugin reads the key and writes to the sink 20 ms after its operation returned.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<16 {
                group.addTask {
                    let key = "videos/clip-\(i)/init.mp4"
                    let info = try await storage.stat(key)
                    #expect(info.key == key)
                    let bytes = try await storage.read(key)
                    #expect(bytes == Array("hello".utf8))
                }
            }
            try await group.waitForAll()
        }
        let unsupported = await #expect(throws: PluginCallError.self) { try await storage.remove("x") }
        #expect(unsupported?.status == .unsupported)
        await registry.stopAll()
    }

    @Test func everyModuleInAFolderIsLoadedAndRefusalsAreKept() throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try FileManager.default.copyItem(atPath: TestEnvironment.storageLocalModule, toPath: scratch + "/libkinora-storage-local.so")
        _ = try buildFixture("wrong_abi")
        try "junk".write(toFile: scratch + "/junk.so", atomically: true, encoding: .utf8)
        let registry = registry()
        let errors = registry.loadModules(from: [scratch, scratch + "/does-not-exist"])
        #expect(registry.modules.map(\.plugins.first?.id) == ["org.kinora.storage-local"])
        #expect(errors.count == 2)
        #expect(Set(registry.moduleFailures.map { ($0.path as NSString).lastPathComponent }) == ["junk.so", "wrong_abi.so"])
    }
}

extension PluginLoadingTests {
    @Test func aDescriptorOfAnotherABIMajorIsRefusedNamingThePluginAndTheFile() throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let module = try buildFixture("descriptor_abi")
        let error = #expect(throws: PluginLoadError.self) { try registry().loadModule(at: module) }
        let message = error?.description ?? ""
        #expect(message.contains("descriptor_abi.so") && message.contains("org.example.from-the-future"), "message was: \(message)")
        #expect(message.contains("wants 1") && message.contains("has 2"), "message was: \(message)")
    }
}
