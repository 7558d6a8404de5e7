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
            instanceErrors: [ConfigError](), installed: [InstalledModule](),
            unavailable: [String: String]()
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
    /// Every module found in the plugin folders and not refused, loaded or not (see
    /// ``discoverModules(from:inspector:)``); listings show these.
    public var installedModules: [InstalledModule] { state.withLockedValue { $0.installed } }

    /// True when the module at `path` is mapped into this process.
    public func isLoaded(_ path: String) -> Bool {
        state.withLockedValue { $0.modules.contains { $0.path == path } }
    }

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
        for file in Self.moduleFiles(inFolders: folders) {
            do {
                try loadModule(at: file)
            } catch {
                errors.append(error)
            }
        }
        return errors
    }

    /// Lists every `*.so` in `folders` with the descriptors `inspector` reports, WITHOUT loading
    /// any: a module is loaded when ``createInstances(_:)`` meets an instance of one of its
    /// plugins. Refusals (and a plugin id offered by two files) are kept in ``moduleFailures``,
    /// logged, and returned.
    @discardableResult
    public func discoverModules(from folders: [String], inspector: any ModuleInspector) -> [ModuleFailure] {
        var refused: [ModuleFailure] = []
        for result in inspector.inspect(Self.moduleFiles(inFolders: folders)) {
            let failure: ModuleFailure? = state.withLockedValue { state in
                guard let module = result.module else {
                    return ModuleFailure(path: result.path, reason: result.refusal ?? "\(result.path): refused")
                }
                for plugin in module.plugins {
                    if let other = state.installed.first(where: { $0.path != module.path && $0.plugins.contains { $0.id == plugin.id } }) {
                        return ModuleFailure(
                            path: module.path,
                            reason: PluginLoadError.duplicatePluginID(id: plugin.id, path: module.path, firstPath: other.path).description)
                    }
                }
                if !state.installed.contains(where: { $0.path == module.path }) { state.installed.append(module) }
                return nil
            }
            if let failure {
                state.withLockedValue { $0.failures.append(failure) }
                logger.error("refused plugin module: \(failure.reason)")
                refused.append(failure)
            }
        }
        return refused
    }

    /// The loaded module providing plugin `id`, loading the installed module that offers it on
    /// first use. Nil when no module offers it or its module is refused when loaded.
    func module(providing id: String) -> (LoadedModule, Int)? {
        for module in modules {
            if let index = module.plugins.firstIndex(where: { $0.id == id }) { return (module, index) }
        }
        guard let installed = installedModules.first(where: { $0.plugins.contains { $0.id == id } }) else { return nil }
        do {
            let module = try loadModule(at: installed.path)
            guard let index = module.plugins.firstIndex(where: { $0.id == id }) else { return nil }
            return (module, index)
        } catch {
            // Inspected fine but refused now (changed since, or a library went missing): it is
            // no longer an installed module, and the refusal is in moduleFailures.
            state.withLockedValue { state in
                state.installed.removeAll { $0.path == installed.path }
                for plugin in installed.plugins { state.unavailable[plugin.id] = error.description }
            }
            return nil
        }
    }

    /// Why no instance of plugin `id` can be made, for the instance's config error.
    func unknownPluginMessage(_ id: String) -> String {
        let known = installedModules.flatMap { $0.plugins.map(\.id) }.sorted()
        if let reason = state.withLockedValue({ $0.unavailable[id] }) {
            return "plugin \"\(id)\" is unavailable: its module was refused: \(reason)"
        }
        return "no installed module provides plugin \"\(id)\" (known: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
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
            let others = modules.map(InstalledModule.init) + installedModules.filter { $0.path != module.path }
            for plugin in module.plugins {
                if let other = others.first(where: { $0.plugins.contains { $0.id == plugin.id } }) {
                    module.deinitialize()  // its init() succeeded: refused, but owed its deinit()
                    throw PluginLoadError.duplicatePluginID(id: plugin.id, path: module.path, firstPath: other.path)
                }
            }
            state.withLockedValue { state in
                state.modules.append(module)
                if let index = state.installed.firstIndex(where: { $0.path == module.path }) {
                    state.installed[index] = InstalledModule(module)  // what the loaded file says wins
                } else {
                    state.installed.append(InstalledModule(module))
                }
            }
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

    /// The `*.so` files of `folders`, resolved (realpath) and each listed once.
    static func moduleFiles(inFolders folders: [String]) -> [String] {
        var seen = Set<String>()
        var files: [String] = []
        for folder in folders {
            for file in moduleFiles(in: folder) {
                let resolved =
                    realpath(file, nil).map { p in
                        defer { free(p) }
                        return String(cString: p)
                    } ?? file
                if seen.insert(resolved).inserted { files.append(resolved) }
            }
        }
        return files
    }
}
