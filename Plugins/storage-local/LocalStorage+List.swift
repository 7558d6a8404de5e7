import KinoraPluginKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension LocalStorage {
    /// Lists keys in ascending bytewise order. Folders are walked in the order their keys
    /// sort ("a/" sorts after "a-b", so a folder sorts by its name plus "/"), which yields
    /// keys already ordered without collecting the whole tree.
    public func list(prefix: String, cursor: String?, limit: Int, call: PluginCall) throws -> ObjectPage {
        // Start at the deepest folder the prefix fully names.
        let folderPart: String
        if let slash = prefix.utf8.lastIndex(of: UInt8(ascii: "/")) {
            folderPart = String(prefix[..<slash])
        } else {
            folderPart = ""
        }
        if !folderPart.isEmpty {
            _ = try StorageKey(validating: folderPart)  // refuses "../" and friends in the prefix
        }
        var items: [ObjectInfo] = []
        var more = false
        try walk(folder: folderPart, prefix: prefix, cursor: cursor, limit: limit, call: call, items: &items, more: &more)
        return ObjectPage(items: items, nextCursor: more ? items.last?.key : nil)
    }

    private func walk(
        folder: String, prefix: String, cursor: String?, limit: Int, call: PluginCall,
        items: inout [ObjectInfo], more: inout Bool
    ) throws {
        try call.checkCancellation()
        let absolute = folder.isEmpty ? root : root + "/" + folder
        var entries: [(sortKey: [UInt8], key: String, isFolder: Bool)] = []
        for name in FileOps.entries(of: absolute) {
            if folder.isEmpty && name == Self.tempFolder { continue }
            let key = folder.isEmpty ? name : folder + "/" + name
            var st = Glibc.stat()
            guard lstat(absolute + "/" + name, &st) == 0 else { continue }
            let isFolder = st.st_mode & S_IFMT == S_IFDIR
            guard isFolder || st.st_mode & S_IFMT == S_IFREG else { continue }
            // Skip what cannot match the prefix; a folder matches if either is a prefix of the other.
            let probe = isFolder ? key + "/" : key
            guard probe.hasPrefix(prefix) || (isFolder && prefix.hasPrefix(probe)) else { continue }
            entries.append((Array(probe.utf8), key, isFolder))
        }
        entries.sort { $0.sortKey.lexicographicallyPrecedes($1.sortKey) }
        let cursorBytes = cursor.map { Array($0.utf8) }
        for entry in entries {
            if let cursorBytes {
                if entry.isFolder {
                    // The whole folder sorts before the cursor unless the cursor lies inside it.
                    if entry.sortKey.lexicographicallyPrecedes(cursorBytes) && !cursorBytes.starts(with: entry.sortKey) { continue }
                } else if !cursorBytes.lexicographicallyPrecedes(entry.sortKey) {
                    continue
                }
            }
            if entry.isFolder {
                try walk(folder: entry.key, prefix: prefix, cursor: cursor, limit: limit, call: call, items: &items, more: &more)
                if more { return }
            } else {
                if items.count == limit {
                    more = true
                    return
                }
                // A file that vanished or has an unusable name since readdir is simply skipped.
                if let key = try? StorageKey(validating: entry.key), let info = try? info(of: key, at: root + "/" + entry.key) {
                    items.append(info)
                }
            }
        }
    }
}
