import KinoraConfiguration
import KinoraPluginABI
import Logging
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// Every loaded module and configured instance, and the answers to "the storage instance
/// named X" or "all moderation instances".
///
/// Loading, creating, starting and stopping happen on one task at start-up and shut-down
/// (the ABI's [main] thread); lookups may come from anywhere.
///
/// ```swift
/// let environment = HostEnvironment(logger: logger, version: kinoraVersion, secrets: SecretStore(folders: setup.secretFolders))
/// let registry = PluginRegistry(environment: environment, workerThreads: config.pluginWorkerThreads)
/// registry.loadModules(from: setup.pluginFolders)
/// registry.createInstances(setup.instances)
/// registry.startAll()
/// let media = registry.storage(named: "media")
/// // … at shut-down:
/// await registry.stopAll()
/// ```
public final class PluginRegistry: Sendable {
    /// A module file the registry refused, kept so `kinora plugin list` and
    /// `/api/v1/plugins` can say why a plugin is missing after start-up logs have scrolled.
    ///
    /// ```swift
    /// for failure in registry.moduleFailures { print("  REFUSED \(failure.reason)") }
    /// ```
    public struct ModuleFailure: Sendable {
        public var path: String
        public var reason: String
    }

    public let environment: HostEnvironment
    public let pool: PluginCallPool
    private let state = NIOLockedValueBox(
        (
            modules: [LoadedModule](), failures: [ModuleFailure](), instances: [PluginInstance](),
            instanceErrors: [ConfigError]()
        ))

    public init(environment: HostEnvironment, workerThreads: Int) {
        self.environment = environment
        pool = PluginCallPool(threads: workerThreads)
    }

    var logger: Logger { environment.logger }

    public var modules: [LoadedModule] { state.withLockedValue { $0.modules } }
    public var moduleFailures: [ModuleFailure] { state.withLockedValue { $0.failures } }
    public var instances: [PluginInstance] { state.withLockedValue { $0.instances } }
    public var instanceErrors: [ConfigError] { state.withLockedValue { $0.instanceErrors } }

    public func instance(named name: String) -> PluginInstance? {
        state.withLockedValue { $0.instances.first { $0.name == name } }
    }

    public func instances(implementing interfaceID: String) -> [PluginInstance] {
        state.withLockedValue { $0.instances.filter { $0.implements(interfaceID) } }
    }

    /// The started storage instance named `name`.
    public func storage(named name: String) -> StorageClient? {
        guard let instance = instance(named: name), instance.state == .started else { return nil }
        return StorageClient(instance)
    }

    /// Every started packager instance (one per protocol: HLS, DASH, …).
    public var packagers: [PackagerClient] {
        instances(implementing: KN_PACKAGER_ID).filter { $0.state == .started }.compactMap(PackagerClient.init)
    }

    public func moderation(named name: String) -> ModerationClient? {
        guard let instance = instance(named: name), instance.state == .started else { return nil }
        return ModerationClient(instance)
    }

    /// Loads every `*.so` in `folders` (missing folders are skipped). Failures are kept for
    /// `kinora plugin list` and `/api/v1/plugins`, logged, and returned.
    @discardableResult
    public func loadModules(from folders: [String]) -> [PluginLoadError] {
        var errors: [PluginLoadError] = []
        var seen = Set<String>()
        for folder in folders {
            for file in Self.moduleFiles(in: folder) {
                let resolved =
                    realpath(file, nil).map { p in
                        defer { free(p) }
                        return String(cString: p)
                    } ?? file
                guard seen.insert(resolved).inserted else { continue }
                do {
                    try loadModule(at: file)
                } catch {
                    errors.append(error)
                }
            }
        }
        return errors
    }

    /// Loads one module; refuses it (with the reason kept) if any check fails.
    ///
    /// - Parameter path: The `.so` file to load.
    /// - Returns: The module, already listed in ``modules``.
    /// - Throws: ``PluginLoadError`` naming the file and the check it failed; the same reason
    ///   is kept in ``moduleFailures``.
    @discardableResult
    public func loadModule(at path: String) throws(PluginLoadError) -> LoadedModule {
        do throws(PluginLoadError) {
            let module = try ModuleLoader.load(path: path, environment: environment)
            for plugin in module.plugins {
                if let other = modules.first(where: { $0.plugins.contains { $0.id == plugin.id } }) {
                    module.deinitialize()  // its init() succeeded: refused, but owed its deinit()
                    throw PluginLoadError.duplicatePluginID(id: plugin.id, path: module.path, firstPath: other.path)
                }
            }
            state.withLockedValue { $0.modules.append(module) }
            logger.info(
                "loaded plugin module",
                metadata: ["module": .string(module.path), "plugins": .string(module.plugins.map(\.id).joined(separator: ","))])
            return module
        } catch {
            state.withLockedValue { $0.failures.append(ModuleFailure(path: error.path, reason: error.description)) }
            logger.error("refused plugin module: \(error.description)")
            throw error
        }
    }

    func addInstance(_ instance: PluginInstance) {
        state.withLockedValue { $0.instances.append(instance) }
    }

    /// Keeps configuration problems found outside the registry (unreadable plugins.d files,
    /// cross-checks) so /readyz and /api/v1/plugins report them with the rest.
    public func recordInstanceErrors(_ errors: [ConfigError]) {
        state.withLockedValue { $0.instanceErrors.append(contentsOf: errors) }
    }

    static func moduleFiles(in folder: String) -> [String] {
        folderEntries(folder, suffix: ".so").map { folder + "/" + $0 }
    }
}
