import KinoraConfiguration
import KinoraPluginABI

#if canImport(Glibc)
import Glibc
#endif

/// Loads one module file and checks it against the ABI before anything else touches it.
enum ModuleLoader {
    static func load(path rawPath: String, environment: HostEnvironment) throws(PluginLoadError) -> LoadedModule {
        let path =
            realpath(rawPath, nil).map { p in
                defer { free(p) }
                return String(cString: p)
            } ?? rawPath
        try checkELF(path)

        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            throw .dlopenFailed(path: path, reason: dlerror().map { String(cString: $0) } ?? "unknown dlopen error")
        }
        // Never dlclose: a Swift plugin's runtime metadata would dangle (verified crash).
        guard let symbol = dlsym(handle, KN_ENTRY_SYMBOL) else {
            for major in [0, 2, 3, 4, 5, 6, 7, 8, 9] where dlsym(handle, "kinora_module_entry_v\(major)") != nil {
                throw .abiMismatch(path: path, wanted: UInt32(KN_ABI_MAJOR), found: UInt32(major))
            }
            throw .entryMissing(path: path)
        }
        let entryFunction = unsafeBitCast(symbol, to: kn_module_entry_fn.self)
        guard let entry = entryFunction() else {
            throw .badDescriptor(path: path, reason: "kinora_module_entry_v1 returned NULL")
        }
        // `abi` is the first field in every major, so reading it is safe whatever the module's version.
        guard entry.pointee.abi.major == UInt32(KN_ABI_MAJOR) else {
            throw .abiMismatch(path: path, wanted: UInt32(KN_ABI_MAJOR), found: entry.pointee.abi.major)
        }
        let abi = "\(entry.pointee.abi.major).\(entry.pointee.abi.minor).\(entry.pointee.abi.patch)"

        // Before init(): a module refused here has had nothing called.
        if let missing = ABIChecks.missingInEntry(entry.pointee) { throw .badDescriptor(path: path, reason: missing) }

        let moduleHost = environment.context(instance: nil, module: path)
        var err = kn_error_t()
        if let initialize = entry.pointee.`init` {
            let status = moduleHost.duringMainCallback { path.withCString { initialize(moduleHost.raw, $0, &err) } }
            // No deinit() after a failed init(): the module is refused and nothing else is called.
            if status != KN_OK { throw .initFailed(path: path, message: PluginCallError.message(from: err, status: status)) }
        }
        do throws(PluginLoadError) {
            return try inspect(path: path, abi: abi, entry: entry, moduleHost: moduleHost)
        } catch {
            // init() succeeded, so the module gets its deinit() even though it is refused.
            entry.pointee.deinit?()
            throw error
        }
    }

    private static func inspect(
        path: String, abi: String, entry: UnsafePointer<kn_module_entry_t>, moduleHost: HostContext
    ) throws(PluginLoadError) -> LoadedModule {
        guard let factoryRaw = entry.pointee.get_factory?(KN_PLUGIN_FACTORY_ID) else { throw .noFactory(path: path) }
        let factory = factoryRaw.assumingMemoryBound(to: kn_plugin_factory_t.self)
        if let missing = ABIChecks.missingInFactory(factory.pointee) { throw .badDescriptor(path: path, reason: missing) }

        let count = factory.pointee.count?(factory) ?? 0
        guard count > 0, count < 1000 else { throw .badDescriptor(path: path, reason: "the factory lists \(count) plugins") }
        var descriptors: [UnsafePointer<kn_plugin_descriptor_t>] = []
        var infos: [PluginDescriptorInfo] = []
        var schemas: [String: JSONSchema] = [:]
        for index in 0..<count {
            guard let descriptor = factory.pointee.get_descriptor?(factory, index) else {
                throw .badDescriptor(path: path, reason: "descriptor \(index) is NULL")
            }
            let info = PluginDescriptorInfo(descriptor.pointee)
            guard PluginDescriptorInfo.isValidID(info.id) else {
                throw .badDescriptor(path: path, reason: "plugin id \"\(info.id)\" is not reverse-DNS ([a-z][a-z0-9._-]*)")
            }
            // Named by id: one module may hold plugins built against different SDK versions.
            guard descriptor.pointee.abi.major == UInt32(KN_ABI_MAJOR) else {
                throw .descriptorABIMismatch(path: path, pluginID: info.id, wanted: UInt32(KN_ABI_MAJOR), found: descriptor.pointee.abi.major)
            }
            guard !info.name.isEmpty else { throw .badDescriptor(path: path, reason: "plugin \(info.id) has no name") }
            guard !info.interfaces.isEmpty else {
                throw .badDescriptor(path: path, reason: "plugin \(info.id) lists no interfaces")
            }
            if infos.contains(where: { $0.id == info.id }) {
                throw .duplicatePluginID(id: info.id, path: path, firstPath: path)
            }
            if let text = info.configSchemaJSON {
                do {
                    schemas[info.id] = try JSONSchema(JSONValue(parsing: text))
                } catch {
                    throw .badDescriptor(path: path, reason: "plugin \(info.id) config schema: \(error)")
                }
            }
            descriptors.append(descriptor)
            infos.append(info)
        }
        return LoadedModule(
            path: path, abi: abi, plugins: infos, entry: entry, factory: factory,
            descriptors: descriptors, schemas: schemas, moduleHost: moduleHost)
    }

    /// Refuses anything that is not a 64-bit ELF shared object before dlopen sees it, so the
    /// message says what the file is rather than dlopen's "invalid ELF header".
    static func checkELF(_ path: String) throws(PluginLoadError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw .notSharedObject(path: path, reason: "not a regular file")
        }
        var header = [UInt8](repeating: 0, count: 64)
        let n = read(fd, &header, header.count)
        guard n >= 20, header[0] == 0x7F, header[1] == UInt8(ascii: "E"), header[2] == UInt8(ascii: "L"), header[3] == UInt8(ascii: "F") else {
            throw .notSharedObject(path: path, reason: n <= 0 ? "empty file" : "no ELF header")
        }
        let type = UInt16(header[16]) | UInt16(header[17]) << 8
        guard type == 3 else {
            throw .notSharedObject(path: path, reason: type == 2 ? "an executable, not a library" : "ELF type \(type), not a shared library")
        }
    }
}
