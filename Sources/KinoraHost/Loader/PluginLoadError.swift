/// Why a module or an instance was refused. Every message names the file it is about, so an
/// operator with several plugin folders can tell which file to fix.
///
/// ```swift
/// do throws(PluginLoadError) {
///     try registry.loadModule(at: "/usr/lib/kinora/plugins/storage-s3.so")
/// } catch {
///     print(error.path, error.description)
/// }
/// ```
public enum PluginLoadError: Error, CustomStringConvertible, Sendable, Equatable {
    case unreadable(path: String, reason: String)
    case notSharedObject(path: String, reason: String)
    case dlopenFailed(path: String, reason: String)
    case entryMissing(path: String)
    case abiMismatch(path: String, wanted: UInt32, found: UInt32)
    /// The module's entry speaks the host's ABI but one of its plugin descriptors does not.
    case descriptorABIMismatch(path: String, pluginID: String, wanted: UInt32, found: UInt32)
    case initFailed(path: String, message: String)
    case noFactory(path: String)
    case badDescriptor(path: String, reason: String)
    case duplicatePluginID(id: String, path: String, firstPath: String)

    public var path: String {
        switch self {
        case .unreadable(let p, _), .notSharedObject(let p, _), .dlopenFailed(let p, _), .entryMissing(let p), .abiMismatch(let p, _, _),
            .descriptorABIMismatch(let p, _, _, _),
            .initFailed(let p, _), .noFactory(let p), .badDescriptor(let p, _), .duplicatePluginID(_, let p, _):
            p
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "\(path): cannot be read: \(reason)"
        case .notSharedObject(let path, let reason):
            "\(path): not an ELF shared object (\(reason))"
        case .dlopenFailed(let path, let reason):
            "\(path): cannot be loaded: \(reason)"
        case .entryMissing(let path):
            "\(path): entry symbol kinora_module_entry_v1 is missing (not a Kinora plugin, or its symbols are hidden)"
        case .abiMismatch(let path, let wanted, let found):
            "\(path): plugin ABI major version mismatch: host wants \(wanted), module has \(found)"
        case .descriptorABIMismatch(let path, let id, let wanted, let found):
            "\(path): plugin \(id): descriptor ABI major version mismatch: host wants \(wanted), the descriptor has \(found)"
        case .initFailed(let path, let message):
            "\(path): module init failed: \(message)"
        case .noFactory(let path):
            "\(path): module offers no plugin factory (kinora.plugin-factory/1)"
        case .badDescriptor(let path, let reason):
            "\(path): invalid plugin descriptor: \(reason)"
        case .duplicatePluginID(let id, let path, let firstPath):
            "\(path): duplicate plugin id \"\(id)\", already provided by \(firstPath)"
        }
    }
}
