#if canImport(Glibc)
import Glibc
#endif

/// One `plugins.d/<instance>.toml`: which plugin, whether enabled, and its `[settings]`.
public struct InstanceConfig: Sendable {
    public var name: String
    public var pluginID: String
    public var enabled: Bool
    public var settings: JSONValue
    /// The file, or nil for an embedded default instance.
    public var file: String?

    public init(name: String, pluginID: String, enabled: Bool = true, settings: JSONValue = .object([:]), file: String? = nil) {
        self.name = name
        self.pluginID = pluginID
        self.enabled = enabled
        self.settings = settings
        self.file = file
    }

    static let schema = JSONSchema.embedded(
        #"""
        {"type":"object","additionalProperties":false,"required":["plugin"],"properties":{
          "plugin":{"type":"string","pattern":"^[a-z][a-z0-9._-]*$"},
          "enabled":{"type":"boolean","default":true},
          "settings":{"type":"object","default":{}}}}
        """#)

    /// Instance names become file names, log labels and config references: keep them plain.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.utf8.allSatisfy { c in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
            }
    }

    /// Reads every `*.toml` in `folder`, in name order. Files with errors are reported and skipped.
    public static func loadFolder(_ folder: String) -> (instances: [InstanceConfig], errors: [ConfigError]) {
        var instances: [InstanceConfig] = []
        var errors: [ConfigError] = []
        for fileName in folderEntries(folder, suffix: ".toml") {
            let path = folder + "/" + fileName
            do {
                instances.append(try load(path))
            } catch {
                errors.append(contentsOf: error.errors)
            }
        }
        return (instances, errors)
    }

    public static func load(_ path: String) throws(ConfigErrors) -> InstanceConfig {
        let base = String(path.split(separator: "/").last ?? "")
        let name = String(base.dropLast(".toml".count))
        guard isValidName(name) else {
            throw ConfigErrors([ConfigError(file: path, "instance name \"\(name)\" (the file name) must be 1-64 letters, digits, '-' or '_'")])
        }
        let document: JSONValue
        do { document = try TOMLFile.read(path) } catch { throw ConfigErrors([error]) }
        let result = schema.validate(document)
        if !result.violations.isEmpty {
            throw ConfigErrors(result.violations.map { ConfigError(file: path, key: $0.path, $0.message) })
        }
        return InstanceConfig(
            name: name,
            pluginID: result.value["plugin"]?.stringValue ?? "",
            enabled: result.value["enabled"]?.boolValue ?? true,
            settings: result.value["settings"] ?? .object([:]),
            file: path)
    }
}
