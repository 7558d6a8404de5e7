import KinoraPluginABI
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds the C structures of a plugin module from Swift plugin types.
///
/// A Swift plugin module exports its one entry point with a single line:
///
/// ```swift
/// import KinoraPluginKit
///
/// @_cdecl("kinora_module_entry_v1")
/// public func kinoraModuleEntry() -> UnsafeRawPointer {
///     PluginModule.entry(MemoryStorage.self)
/// }
/// ```
///
/// The kit owns all pointer bookkeeping: descriptors, the factory, instance boxes
/// (`Unmanaged`), interface tables, completions and the translation of thrown errors into
/// status codes plus messages.
public enum PluginModule {
    /// The module entry for `plugins`. Call it from the `@_cdecl` function; every call returns
    /// the same pointer (the first call's list of plugins wins).
    ///
    /// - Parameter plugins: Every plugin type the module offers; their descriptor ids must differ.
    /// - Returns: The `kn_module_entry_t` the host reads, valid for the life of the process.
    public static func entry(_ plugins: any KinoraPlugin.Type...) -> UnsafeRawPointer {
        moduleState.withLock { state in
            if let state { return UnsafeRawPointer(state.entry) }
            let built = ModuleState(types: plugins)
            state = built
            return UnsafeRawPointer(built.entry)
        }
    }

    static func current() -> ModuleState? { moduleState.withLock { $0 } }
}

private let moduleState = Mutex<ModuleState?>(nil)

/// Everything the C side of a module points at. Allocated once and never freed: the host
/// never unloads a module, so these live as long as the process.
final class ModuleState: @unchecked Sendable {
    // Immutable after init except `moduleHost`, which only [main]-threaded init/deinit touch.
    let entry: UnsafeMutablePointer<kn_module_entry_t>
    let factory: UnsafeMutablePointer<kn_plugin_factory_t>
    let types: [any KinoraPlugin.Type]
    let descriptors: [UnsafeMutablePointer<kn_plugin_descriptor_t>]
    nonisolated(unsafe) var moduleHost: UnsafePointer<kn_host_t>?

    init(types: [any KinoraPlugin.Type]) {
        self.types = types
        descriptors = types.map { ModuleState.makeDescriptor($0) }
        entry = .allocate(capacity: 1)
        entry.initialize(
            to: kn_module_entry_t(
                abi: kn_version_t(major: UInt32(KN_ABI_MAJOR), minor: UInt32(KN_ABI_MINOR), patch: 0),
                init: { host, _, _ in
                    PluginModule.current()?.moduleHost = host
                    return KN_OK
                },
                deinit: { PluginModule.current()?.moduleHost = nil },
                get_factory: { id in
                    guard let id, String(cString: id) == KN_PLUGIN_FACTORY_ID,
                        let state = PluginModule.current()
                    else { return nil }
                    return UnsafeRawPointer(state.factory)
                }
            ))
        factory = .allocate(capacity: 1)
        factory.initialize(
            to: kn_plugin_factory_t(
                count: { _ in UInt32(PluginModule.current()?.descriptors.count ?? 0) },
                get_descriptor: { _, index in
                    guard let state = PluginModule.current(), Int(index) < state.descriptors.count else { return nil }
                    return UnsafePointer(state.descriptors[Int(index)])
                },
                create: { _, host, pluginID, configJSON, out, err in
                    createInstance(host: host, pluginID: pluginID, configJSON: configJSON, out: out, err: err)
                }
            ))
    }

    private static func makeDescriptor(_ type: any KinoraPlugin.Type) -> UnsafeMutablePointer<kn_plugin_descriptor_t> {
        let d = type.descriptor
        let interfaces = InterfaceTables.interfaceIDs(of: type)
        let list = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: interfaces.count + 1)
        for (i, id) in interfaces.enumerated() { list[i] = UnsafePointer(strdup(id)) }
        list[interfaces.count] = nil
        func dup(_ s: String?) -> UnsafePointer<CChar>? { s.map { UnsafePointer(strdup($0)) } }
        let descriptor = UnsafeMutablePointer<kn_plugin_descriptor_t>.allocate(capacity: 1)
        descriptor.initialize(
            to: kn_plugin_descriptor_t(
                abi: kn_version_t(major: UInt32(KN_ABI_MAJOR), minor: UInt32(KN_ABI_MINOR), patch: 0),
                id: dup(d.id), name: dup(d.name), vendor: dup(d.vendor), version: dup(d.version),
                description: dup(d.description), url: dup(d.url), interfaces: UnsafePointer(list),
                config_schema_json: dup(d.configSchema),
                flags: d.serializeCalls ? UInt64(KN_PLUGIN_FLAG_SERIALIZE_CALLS) : 0
            ))
        return descriptor
    }
}

/// The Swift object behind a `kn_plugin_t`, reached through `plugin_data`.
final class InstanceBox: @unchecked Sendable {
    // The plugin itself is Sendable; the raw pointer is only written in create/destroy.
    let plugin: any KinoraPlugin
    let raw: UnsafeMutablePointer<kn_plugin_t>
    /// channel_info's answer, made on the first call and kept until destroy(): the ABI lets
    /// the host hold the pointer until stop().
    let channelInfoText = Mutex<UnsafeMutablePointer<CChar>?>(nil)

    init(plugin: any KinoraPlugin, raw: UnsafeMutablePointer<kn_plugin_t>) {
        self.plugin = plugin
        self.raw = raw
    }

    deinit {
        channelInfoText.withLock { free($0) }
    }

    static func of(_ plugin: UnsafePointer<kn_plugin_t>?) -> InstanceBox? {
        guard let data = plugin?.pointee.plugin_data else { return nil }
        return Unmanaged<InstanceBox>.fromOpaque(data).takeUnretainedValue()
    }
}

private func createInstance(
    host: UnsafePointer<kn_host_t>?, pluginID: UnsafePointer<CChar>?, configJSON: UnsafePointer<CChar>?,
    out: UnsafeMutablePointer<UnsafePointer<kn_plugin_t>?>?, err: UnsafeMutablePointer<kn_error_t>?
) -> kn_status_t {
    guard let host, let pluginID, let out, let state = PluginModule.current() else {
        kn_error_t.fill(err, PluginError(.invalidArgument, "create() called with a NULL argument"))
        return KN_E_INVALID_ARGUMENT
    }
    let id = String(cString: pluginID)
    guard let index = state.types.firstIndex(where: { $0.descriptor.id == id }) else {
        kn_error_t.fill(err, PluginError(.notFound, "this module has no plugin \"\(id)\""))
        return KN_E_NOT_FOUND
    }
    let json = configJSON.map { String(cString: $0) } ?? "{}"
    do {
        let plugin = try makePlugin(state.types[index], json: json, host: PluginHost(host))
        let raw = UnsafeMutablePointer<kn_plugin_t>.allocate(capacity: 1)
        let box = InstanceBox(plugin: plugin, raw: raw)
        raw.initialize(
            to: kn_plugin_t(
                desc: UnsafePointer(state.descriptors[index]),
                plugin_data: Unmanaged.passRetained(box).toOpaque(),
                start: { plugin, err in
                    guard let box = InstanceBox.of(plugin) else { return KN_E_INVALID_ARGUMENT }
                    do {
                        try box.plugin.start()
                        return KN_OK
                    } catch {
                        let e = PluginError(wrapping: error)
                        kn_error_t.fill(err, e)
                        return e.status.rawValue
                    }
                },
                stop: { plugin in InstanceBox.of(plugin)?.plugin.stop() },
                destroy: { plugin in
                    guard let data = plugin?.pointee.plugin_data else { return }
                    let box = Unmanaged<InstanceBox>.fromOpaque(data).takeRetainedValue()
                    box.raw.deinitialize(count: 1)
                    box.raw.deallocate()
                },
                get_interface: { plugin, id in
                    guard let box = InstanceBox.of(plugin), let id else { return nil }
                    return InterfaceTables.table(for: String(cString: id), plugin: box.plugin)
                }
            ))
        out.pointee = UnsafePointer(raw)
        return KN_OK
    } catch {
        let e = PluginError(wrapping: error)
        kn_error_t.fill(err, e)
        return e.status.rawValue
    }
}

private func makePlugin<P: KinoraPlugin>(_ type: P.Type, json: String, host: PluginHost) throws -> P {
    let settings: P.Settings
    do {
        settings = try JSONValueDecoder().decode(P.Settings.self, from: json)
    } catch let error as DecodingError {
        throw PluginError(.config, describe(error))
    }
    return try P(settings: settings, host: host)
}

/// "settings.root: expected a string, found a number" rather than DecodingError's debug dump.
private func describe(_ error: DecodingError) -> String {
    func path(_ keys: [any CodingKey]) -> String {
        keys.reduce("settings") { path, key in key.intValue.map { "\(path)[\($0)]" } ?? "\(path).\(key.stringValue)" }
    }
    switch error {
    case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])): required key is missing"
    case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
        return "\(path(context.codingPath)): \(context.debugDescription)"
    @unknown default: return "settings: \(error)"
    }
}
