import KinoraConfiguration
import KinoraPluginABI

/// A module that passed every check: loaded, initialised, with a factory and valid plugins.
/// Instances keep a reference to it, so listings can say which file each one came from.
///
/// ```swift
/// for module in registry.modules {
///     print(module.path, "ABI", module.abi, module.plugins.map(\.id))
/// }
/// ```
public final class LoadedModule: @unchecked Sendable {
    // The pointers come from a module that is never unloaded; the factory is [any]-threaded
    // for lookups and [main]-threaded for create, which only the registry calls.
    public let path: String
    public let abi: String
    public let plugins: [PluginDescriptorInfo]
    let entry: UnsafePointer<kn_module_entry_t>
    let factory: UnsafePointer<kn_plugin_factory_t>
    let descriptors: [UnsafePointer<kn_plugin_descriptor_t>]
    let schemas: [String: JSONSchema]
    let moduleHost: HostContext

    init(
        path: String, abi: String, plugins: [PluginDescriptorInfo], entry: UnsafePointer<kn_module_entry_t>,
        factory: UnsafePointer<kn_plugin_factory_t>, descriptors: [UnsafePointer<kn_plugin_descriptor_t>],
        schemas: [String: JSONSchema], moduleHost: HostContext
    ) {
        self.path = path
        self.abi = abi
        self.plugins = plugins
        self.entry = entry
        self.factory = factory
        self.descriptors = descriptors
        self.schemas = schemas
        self.moduleHost = moduleHost
    }

    /// Calls the module's deinit. Only after every instance is destroyed.
    func deinitialize() {
        entry.pointee.deinit?()
    }
}
