import KinoraPluginABI

/// A Swift copy of a plugin's descriptor, safe to keep and print: the C descriptor's strings
/// belong to the module, so listings and the API read this copy instead.
///
/// ```swift
/// for module in registry.modules {
///     for plugin in module.plugins {
///         print(plugin.id, plugin.version ?? "-", plugin.interfaces.joined(separator: ","))
///     }
/// }
/// ```
public struct PluginDescriptorInfo: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var vendor: String?
    public var version: String?
    public var description: String?
    public var url: String?
    public var abi: String
    public var interfaces: [String]
    public var configSchemaJSON: String?
    public var serializeCalls: Bool

    init(_ d: kn_plugin_descriptor_t) {
        func str(_ p: UnsafePointer<CChar>?) -> String? { p.map { String(cString: $0) } }
        id = str(d.id) ?? ""
        name = str(d.name) ?? ""
        vendor = str(d.vendor)
        version = str(d.version)
        description = str(d.description)
        url = str(d.url)
        abi = "\(d.abi.major).\(d.abi.minor).\(d.abi.patch)"
        var list: [String] = []
        if var cursor = d.interfaces {
            while let id = cursor.pointee, list.count < 64 {
                list.append(String(cString: id))
                cursor += 1
            }
        }
        interfaces = list
        configSchemaJSON = str(d.config_schema_json)
        serializeCalls = d.flags & UInt64(KN_PLUGIN_FLAG_SERIALIZE_CALLS) != 0
    }

    /// Plugin ids are reverse-DNS: lowercase letters, digits, '.', '-' and '_', starting with a letter.
    static func isValidID(_ id: String) -> Bool {
        guard let first = id.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), id.utf8.count <= 128 else {
            return false
        }
        return id.utf8.allSatisfy { c in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
                || c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
        }
    }
}
