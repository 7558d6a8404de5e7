import KinoraPluginABI
import KinoraPluginConformance
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The plugin as the daemon sees it: the built .so, loaded with dlopen, driven through its C
/// tables by the SDK's storage conformance suite.
@Suite struct StorageMemoryTests {
    /// The .so under test: $KINORA_PLUGIN_SO (the `check` script points it at the stripped
    /// release build), else this package's debug build.
    static let modulePath: String = {
        if let path = getenv("KINORA_PLUGIN_SO") { return String(cString: path) }
        let package = String(#filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/"))
        return package + "/.build/debug/libStorageMemory.so"
    }()

    /// One host per module per process, as in the daemon; each test makes its own instance.
    static let host: Result<ConformanceHost, any Error> = Result { try ConformanceHost(modulePath: modulePath) }

    static func start(_ config: String = #"{"max_bytes":1073741824}"#) throws -> ConformanceInstance {
        try host.get().start(pluginID: "org.example.storage-memory", config: config)
    }

    @Test(arguments: StorageConformance.cases.filter { !$0.measuresMemory })
    func conformance(_ check: ConformanceCase) async throws {
        let instance = try Self.start()
        defer { instance.close() }
        try await check.run(instance.plugin)
    }

    @Test func anObjectOverMaxBytesIsRefusedAsNoSpaceAndKeepsTheOldOne() throws {
        let instance = try Self.start(#"{"max_bytes":1000}"#)
        defer { instance.close() }
        let storage = try StorageDriver(instance.plugin)
        try storage.put("a", bytes: Array(repeating: 1, count: 600))
        do {
            try storage.put("b", bytes: Array(repeating: 2, count: 600))
            Issue.record("a put beyond max_bytes succeeded")
        } catch let error as PluginCallFailure {
            #expect(error.status == KN_E_NO_SPACE && error.message.contains("max_bytes"), "\(error)")
        }
        #expect(try storage.read("a") == Array(repeating: 1, count: 600))
        #expect(try storage.list().objects.map(\.key) == ["a"])
    }

    @Test func badSettingsAreRefusedNamingTheKey() throws {
        #expect(throws: ConformanceFailure.self) { try Self.start(#"{"max_bytes":"lots"}"#) }
        do {
            _ = try Self.start(#"{"max_bytes":"lots"}"#)
        } catch {
            #expect("\(error)".contains("settings.max_bytes: expected an integer, found a string"), "\(error)")
        }
        try Self.start(#"{"max_bytes":4096}"#).close()
        #expect(try Self.host.get().logLines.contains { $0 == "INFO test: holding at most 4096 bytes in memory" })
    }
}
