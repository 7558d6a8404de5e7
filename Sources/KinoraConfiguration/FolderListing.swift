#if canImport(Glibc)
import Glibc
#endif

/// Names in a folder ending in `suffix`, hidden ones left out, sorted; empty when the folder
/// cannot be read (a missing plugin or config folder is not an error).
public func folderEntries(_ folder: String, suffix: String) -> [String] {
    guard let dir = opendir(folder) else { return [] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafePointer(to: entry.pointee.d_name) {
            $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        if name.hasSuffix(suffix) && !name.hasPrefix(".") { names.append(name) }
    }
    return names.sorted()
}

extension JSONSchema {
    /// A schema compiled into the daemon; an invalid one is a programming error caught by
    /// the first test that loads any config.
    static func embedded(_ text: String) -> JSONSchema {
        do {
            return try JSONSchema(JSONValue(parsing: text))
        } catch {
            fatalError("embedded JSON Schema is invalid: \(error)")
        }
    }
}
