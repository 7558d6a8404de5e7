import KinoraConfiguration

/// What an installed module offers, learnt without keeping it mapped in the daemon: listings
/// and configuration checks read this, and the module is loaded only when an instance uses it.
///
/// ```swift
/// for module in registry.installedModules {
///     print(module.path, module.abi, module.plugins.map(\.id), registry.isLoaded(module.path) ? "loaded" : "not loaded")
/// }
/// ```
public struct InstalledModule: Sendable, Hashable, Codable {
    public var path: String
    public var abi: String
    public var plugins: [PluginDescriptorInfo]

    public init(path: String, abi: String, plugins: [PluginDescriptorInfo]) {
        self.path = path
        self.abi = abi
        self.plugins = plugins
    }

    init(_ module: LoadedModule) {
        self.init(path: module.path, abi: module.abi, plugins: module.plugins)
    }
}

/// The outcome of inspecting one file: its descriptors, or the reason it is refused (the same
/// text ``PluginLoadError`` gives when the file is loaded).
///
/// ```swift
/// let results = ChildProcessInspector(executable: "/usr/bin/kinora").inspect(["/usr/lib/kinora/plugins/storage-s3.so"])
/// for result in results { print(result.path, result.module?.plugins.map(\.id) ?? [], result.refusal ?? "") }
/// ```
public struct ModuleInspection: Sendable, Codable, Equatable {
    public var path: String
    public var module: InstalledModule?
    public var refusal: String?

    public init(path: String, module: InstalledModule?, refusal: String?) {
        self.path = path
        self.module = module
        self.refusal = refusal
    }

    /// Loads `path` in THIS process, copies its descriptors and calls its deinit. Only the
    /// inspecting child (`kinora plugin inspect`) calls this: the module stays mapped, which is
    /// harmless in a process that exits right after.
    public static func inspectHere(path: String, environment: HostEnvironment) -> ModuleInspection {
        do throws(PluginLoadError) {
            let module = try ModuleLoader.load(path: path, environment: environment)
            module.deinitialize()
            // Answered under the path asked about, so the parent matches answers to its files.
            return ModuleInspection(path: path, module: InstalledModule(module), refusal: nil)
        } catch {
            return ModuleInspection(path: path, module: nil, refusal: error.description)
        }
    }
}

/// Learns the descriptors of module files. The daemon uses ``ChildProcessInspector`` (wrapped
/// in ``CachingInspector``) so that inspecting a module never maps it, nor its libraries, into
/// the daemon; tests may supply their own.
///
/// ```swift
/// struct Fixed: ModuleInspector {
///     func inspect(_ paths: [String]) -> [ModuleInspection] {
///         paths.map { ModuleInspection(path: $0, module: nil, refusal: "\($0): not today") }
///     }
/// }
/// ```
public protocol ModuleInspector: Sendable {
    /// One result per path, in the order given. Paths are already resolved (realpath).
    func inspect(_ paths: [String]) -> [ModuleInspection]
}
