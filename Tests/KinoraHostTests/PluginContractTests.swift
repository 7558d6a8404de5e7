import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraTestSupport
import Logging
import NIOConcurrencyHelpers
import Testing

/// What plugin.h promises a plugin that breaks a rule, checked with a real module built by
/// `cc` (Tests/Fixtures/plugins/contract_probe.c) that logs every lifecycle call it receives
/// to `<module>.log`.
@Suite struct PluginContractTests {
    let scratch: String
    let source = TestEnvironment.repositoryRoot + "/Tests/Fixtures/plugins/contract_probe.c"
    let plugin = "org.kinora.test.contract-probe"

    init() throws { scratch = try TestEnvironment.makeTemporaryDirectory("plugin-contract") }

    /// The probe built with `defines`, under a name of its own (the log is per module file).
    func build(_ name: String, _ defines: [String] = []) throws -> String {
        let output = scratch + "/\(name).so"
        try TestEnvironment.compileCPlugin(source, output: output, extraFlags: defines)
        return output
    }

    func registry(_ logs: LogCollector = LogCollector()) -> PluginRegistry {
        PluginRegistry(environment: HostEnvironment(logger: logs.logger, version: "test"), workerThreads: 2)
    }

    /// The lifecycle calls the module received, in order (`init`, `create`, `start`, …).
    func calls(_ module: String) -> [String] {
        let path = URL(fileURLWithPath: module).resolvingSymlinksInPath().path + ".log"
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// A started probe instance named "probe".
    func started(_ module: String, logs: LogCollector = LogCollector()) throws -> (PluginRegistry, StorageClient) {
        let registry = registry(logs)
        try registry.loadModule(at: module)
        let errors = registry.createInstances([InstanceConfig(name: "probe", pluginID: plugin)])
        guard errors.isEmpty else { throw TestFailure("probe refused: \(errors)") }
        registry.startAll()
        return (registry, try #require(registry.storage(named: "probe")))
    }

    @Test func aNullOperationRefusesTheInstanceNamingInterfaceAndField() throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let module = try build("null_list", ["-DPROBE_NULL_LIST"])
        let registry = registry()
        try registry.loadModule(at: module)
        let errors = registry.createInstances([InstanceConfig(name: "probe", pluginID: plugin, file: "/etc/kinora/plugins.d/probe.toml")])
        let message = errors.map(\.description).joined()
        #expect(message.hasPrefix("/etc/kinora/plugins.d/probe.toml: "), "\(message)")
        #expect(message.contains("kinora.storage/1") && message.contains("`list`") && message.contains("probe"), "\(message)")
        #expect(registry.instances.isEmpty)
        // create() succeeded, so the refused instance still got its destroy(), and nothing else.
        #expect(calls(module) == ["init", "create", "destroy"])
    }

    @Test func aNullDeinitRefusesTheModuleBeforeInit() throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let module = try build("null_deinit", ["-DPROBE_NULL_DEINIT"])
        let error = #expect(throws: PluginLoadError.self) { try registry().loadModule(at: module) }
        let message = error?.description ?? ""
        #expect(message.contains("null_deinit.so") && message.contains("kn_module_entry_t") && message.contains("`deinit`"), "\(message)")
        #expect(calls(module).isEmpty)
    }

    @Test func failedInitIsNeverFollowedByDeinit() async throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let module = try build("fail_init", ["-DPROBE_FAIL_INIT"])
        let registry = registry()
        let error = #expect(throws: PluginLoadError.self) { try registry.loadModule(at: module) }
        #expect(error?.description.contains("licence missing") == true)
        await registry.stopAll()
        #expect(calls(module) == ["init"])
    }

    @Test func failedStartIsDestroyedWithoutStop() async throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let module = try build("fail_start", ["-DPROBE_FAIL_START"])
        let registry = registry()
        try registry.loadModule(at: module)
        #expect(registry.createInstances([InstanceConfig(name: "probe", pluginID: plugin)]).isEmpty)
        registry.startAll()
        #expect(registry.instance(named: "probe")?.state == .failed)
        #expect(registry.instance(named: "probe")?.lastError == "backend unreachable")
        await registry.stopAll()
        #expect(calls(module) == ["init", "create", "start", "destroy", "deinit"])
    }

    @Test func createdButNeverStartedIsDestroyedWithoutStop() async throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let module = try build("never_started")
        let registry = registry()
        try registry.loadModule(at: module)
        #expect(registry.createInstances([InstanceConfig(name: "probe", pluginID: plugin)]).isEmpty)
        await registry.stopAll()
        #expect(calls(module) == ["init", "create", "destroy", "deinit"])
    }

    @Test func aSecondCompletionIsIgnoredAndTheFirstResultWins() async throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let module = try build("twice")
        let logs = LogCollector()
        let (registry, storage) = try started(module, logs: logs)
        for _ in 0..<3 {
            let info = try await storage.stat("twice")
            #expect(info.key == "first")
        }
        // The daemon is still well: an ordinary call works after the buggy ones.
        #expect(try await storage.stat("videos/a").key == "videos/a")
        let complaints = logs.messages.filter { $0.contains("completion twice") }
        #expect(complaints.count == 1, "\(logs.messages)")
        #expect(complaints.first?.contains("probe") == true)
        await registry.stopAll()
        #expect(calls(module).filter { $0 == "completed-twice" }.count == 3)
        #expect(calls(module).suffix(3) == ["stop", "destroy", "deinit"])
    }

    @Test func reservedAndUnknownStatusesAreInternalAndANullErrIsNamedByItsStatus() async throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let (registry, storage) = try started(try build("statuses"))
        let positive = await #expect(throws: PluginCallError.self) { try await storage.stat("positive") }
        #expect(positive?.status == .internal)
        #expect(positive?.message.contains("status 5") == true, "\(positive?.message ?? "")")
        let unknown = await #expect(throws: PluginCallError.self) { try await storage.stat("unknown") }
        #expect(unknown?.status == .internal)
        #expect(unknown?.message.contains("-99") == true)
        let missing = await #expect(throws: PluginCallError.self) { try await storage.stat("null-err") }
        #expect(missing?.status == .notFound)
        #expect(missing?.message == "not found")
        await registry.stopAll()
    }

    @Test func aCallStuckAtShutdownIsGivenUpWithoutDestroyAndItsLateCompletionIsIgnored() async throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let module = try build("stuck")
        let logs = LogCollector()
        let (registry, storage) = try started(module, logs: logs)
        let held = Task { try await storage.stat("late") }
        // The plugin holds the call until this test lets it complete, from its own thread.
        for _ in 0..<200 where !calls(module).contains("holding late") { try await Task.sleep(for: .milliseconds(5)) }
        #expect(calls(module).contains("holding late"))

        let begun = ContinuousClock.now
        await registry.stopAll(wait: .milliseconds(200))
        let took = ContinuousClock.now - begun
        // Not a timing test: the wait is honoured, and shutdown returned although the call is
        // still held (the plugin completes only when this test lets it, below).
        #expect(took >= .milliseconds(200), "shutdown took \(took)")
        // stop() ran; destroy() and the module's deinit() did not: the plugin still uses its memory.
        #expect(calls(module) == ["init", "create", "start", "holding late", "stop"])
        #expect(logs.messages.contains { $0.contains("calls in flight") }, "\(logs.messages)")
        let error = await #expect(throws: PluginCallError.self) { try await held.value }
        #expect(error?.status == .unavailable)

        // The late completion arrives after shutdown; the key it reads was kept valid.
        FileManager.default.createFile(atPath: URL(fileURLWithPath: module).resolvingSymlinksInPath().path + ".log.release", contents: Data())
        for _ in 0..<300 where !calls(module).contains("late-completed") { try await Task.sleep(for: .milliseconds(10)) }
        #expect(calls(module) == ["init", "create", "start", "holding late", "stop", "late-completing late", "late-completed"])
        #expect(logs.messages.contains { $0.contains("after shutdown") }, "\(logs.messages)")
    }
}

/// Keeps every log message, so a test can check what the daemon told its operator.
final class LogCollector: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])

    var messages: [String] { lines.withLockedValue { $0 } }

    var logger: Logger {
        var logger = Logger(label: "plugin-contract") { _ in Handler(collector: self) }
        logger.logLevel = .debug
        return logger
    }

    struct Handler: LogHandler {
        let collector: LogCollector
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let context = (metadata.merging(event.metadata ?? [:]) { $1 }).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            collector.lines.withLockedValue { $0.append("\(event.message) \(context.joined(separator: " "))") }
        }
    }
}

extension PluginContractTests {
    @Test func registerMetricIsAcceptedInCreateAndStartOnly() async throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let module = try build("metrics", ["-DPROBE_METRICS"])
        let logs = LogCollector()
        let (registry, storage) = try started(module, logs: logs)
        _ = try await storage.stat("metric")
        _ = try await storage.stat("metric")
        await registry.stopAll()
        #expect(
            calls(module).filter { $0.hasPrefix("metric-") } == ["metric-create ok", "metric-start ok", "metric-call refused", "metric-call refused"])
        #expect(logs.messages.filter { $0.contains("register_metric") }.count == 1, "\(logs.messages)")
    }
}
