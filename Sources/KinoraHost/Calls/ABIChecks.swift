import KinoraPluginABI

/// The header's rule "no function pointer it does not mark optional may be NULL", checked
/// where the host first sees each table: a NULL operation would otherwise be skipped by the
/// host's call and leave the awaiting task without a completion forever.
///
/// The module entry and the factory are checked when a module is loaded, the instance and
/// every interface table its descriptor lists right after create():
///
/// ```swift
/// if let missing = ABIChecks.missingInEntry(entry.pointee) {
///     throw PluginLoadError.badDescriptor(path: path, reason: missing)
/// }
/// if let missing = ABIChecks.missingInInstance(raw, interfaces: descriptor.interfaces) {
///     raw.pointee.destroy?(raw)  // refused, but create() succeeded: destroy() is owed
/// }
/// ```
public enum ABIChecks {
    /// One interface the host knows: its table's operations, and whether `get_interface` may
    /// answer NULL for it although the descriptor lists it (the instance's settings may not
    /// offer it, as storage-s3 without presigning).
    struct Interface: Sendable {
        var id: String
        var optional: Bool
        var nullOperations: @Sendable (UnsafeRawPointer) -> [String]
    }

    static let interfaces: [Interface] = [
        Interface(id: KN_STORAGE_ID, optional: false) { raw in
            let t = raw.assumingMemoryBound(to: kn_storage_v1_t.self).pointee
            return names([
                ("put", t.put == nil), ("get", t.get == nil), ("stat", t.stat == nil), ("remove", t.remove == nil), ("list", t.list == nil),
            ])
        },
        Interface(id: KN_STORAGE_PRESIGN_ID, optional: true) { raw in
            names([("presign", raw.assumingMemoryBound(to: kn_storage_presign_v1_t.self).pointee.presign == nil)])
        },
        Interface(id: KN_STORAGE_LOCALFILE_ID, optional: true) { raw in
            names([("local_path", raw.assumingMemoryBound(to: kn_storage_localfile_v1_t.self).pointee.local_path == nil)])
        },
        Interface(id: KN_PACKAGER_ID, optional: false) { raw in
            names([("package", raw.assumingMemoryBound(to: kn_packager_v1_t.self).pointee.package == nil)])
        },
        Interface(id: KN_PACKAGER_GROWING_ID, optional: true) { raw in
            names([("package_growing", raw.assumingMemoryBound(to: kn_packager_growing_v1_t.self).pointee.package_growing == nil)])
        },
        Interface(id: KN_MODERATION_ID, optional: false) { raw in
            names([("classify", raw.assumingMemoryBound(to: kn_moderation_v1_t.self).pointee.classify == nil)])
        },
        Interface(id: KN_MODERATION_FEEDBACK_ID, optional: false) { raw in
            names([("feedback", raw.assumingMemoryBound(to: kn_moderation_feedback_v1_t.self).pointee.feedback == nil)])
        },
        // parse_callback is the one optional operation: a channel whose provider calls nothing back.
        Interface(id: KN_NOTIFY_ID, optional: false) { raw in
            let table = raw.assumingMemoryBound(to: kn_notify_v1_t.self).pointee
            return names([("address_kind", table.address_kind == nil), ("send", table.send == nil)])
        },
    ]

    private static func names(_ fields: [(String, Bool)]) -> [String] { fields.filter(\.1).map(\.0) }

    /// Why the module entry is unusable ("kn_module_entry_t.deinit is NULL"), or nil. Checked
    /// before init(), so a module refused here has had nothing called.
    public static func missingInEntry(_ entry: kn_module_entry_t) -> String? {
        sentence(
            "kn_module_entry_t", names([("init", entry.`init` == nil), ("deinit", entry.deinit == nil), ("get_factory", entry.get_factory == nil)]))
    }

    /// Why the factory is unusable, or nil.
    public static func missingInFactory(_ factory: kn_plugin_factory_t) -> String? {
        sentence(
            "kn_plugin_factory_t",
            names([("count", factory.count == nil), ("get_descriptor", factory.get_descriptor == nil), ("create", factory.create == nil)]))
    }

    /// Why a created instance is unusable: a NULL function of its `kn_plugin_t`, an interface
    /// its descriptor lists that `get_interface` does not return (unless optional), or a NULL
    /// operation in one of those tables. Interfaces this host does not know are not checked.
    public static func missingInInstance(_ plugin: UnsafePointer<kn_plugin_t>, interfaces ids: [String]) -> String? {
        let p = plugin.pointee
        if let own = sentence(
            "kn_plugin_t",
            names([("start", p.start == nil), ("stop", p.stop == nil), ("destroy", p.destroy == nil), ("get_interface", p.get_interface == nil)]))
        {
            return own
        }
        guard let getInterface = p.get_interface else { return nil }
        for id in ids {
            guard let known = interfaces.first(where: { $0.id == id }) else { continue }
            guard let table = id.withCString({ getInterface(plugin, $0) }) else {
                if known.optional { continue }
                return "interface \(id) is listed in the descriptor but get_interface returned NULL for it"
            }
            let missing = known.nullOperations(UnsafeRawPointer(table))
            if !missing.isEmpty {
                return "interface \(id): " + fieldList(missing) + " NULL (every operation of an interface table must be set)"
            }
        }
        return nil
    }

    private static func sentence(_ structure: String, _ missing: [String]) -> String? {
        missing.isEmpty ? nil : "\(structure): " + fieldList(missing) + " NULL (the header allows no NULL function here)"
    }

    private static func fieldList(_ missing: [String]) -> String {
        missing.count == 1 ? "function `\(missing[0])` is" : "functions " + missing.map { "`\($0)`" }.joined(separator: ", ") + " are"
    }
}
