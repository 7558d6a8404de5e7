import Foundation
import KinoraPluginABI

#if canImport(Glibc)
import Glibc
#endif

/// Remembers what ``inner`` found about each module file, keyed by the file's identity (path,
/// device, inode, size, modification time), in a small JSON file, so a daemon restart inspects
/// only new or changed modules. Refusals are not remembered: a module refused because a library
/// it links was missing must load once the library is installed, although the file is unchanged.
///
/// The cache is only ever a shortcut: an unreadable, corrupt or foreign file (another host ABI or
/// Kinora version) is ignored and rewritten; a cache that cannot be written is skipped.
///
/// ```swift
/// let inspector = CachingInspector(
///     cacheFile: config.dataDir + "/plugin-modules.json",
///     inner: ChildProcessInspector(executable: "/proc/self/exe"))
/// registry.discoverModules(from: setup.pluginFolders, inspector: inspector)
/// ```
public struct CachingInspector: ModuleInspector {
    public var cacheFile: String
    public var inner: any ModuleInspector
    /// Written into the cache and compared on reading; a daemon upgrade re-inspects everything.
    public var stamp: String

    public init(cacheFile: String, inner: any ModuleInspector, stamp: String = "abi \(KN_ABI_MAJOR).\(KN_ABI_MINOR)") {
        self.cacheFile = cacheFile
        self.inner = inner
        self.stamp = stamp
    }

    /// What makes two looks at a file "the same file": replacing, rebuilding or touching a module
    /// changes at least one field.
    public struct FileIdentity: Codable, Hashable, Sendable {
        public var path: String
        public var device: UInt64
        public var inode: UInt64
        public var size: Int64
        public var modifiedSeconds: Int64
        public var modifiedNanoseconds: Int64

        public init?(path: String) {
            var st = stat()
            guard stat(path, &st) == 0 else { return nil }
            self.path = path
            device = UInt64(st.st_dev)
            inode = UInt64(st.st_ino)
            size = Int64(st.st_size)
            modifiedSeconds = Int64(st.st_mtim.tv_sec)
            modifiedNanoseconds = Int64(st.st_mtim.tv_nsec)
        }
    }

    struct Entry: Codable {
        var file: FileIdentity
        var module: InstalledModule
    }

    struct Document: Codable {
        var stamp: String
        var modules: [Entry]
    }

    public func inspect(_ paths: [String]) -> [ModuleInspection] {
        let known = readCache()
        var results: [String: ModuleInspection] = [:]
        var entries: [Entry] = []
        var misses: [String] = []
        var identities: [String: FileIdentity] = [:]
        for path in paths {
            guard let identity = FileIdentity(path: path) else {
                misses.append(path)  // let the inspector say why it cannot be read
                continue
            }
            identities[path] = identity
            if let hit = known[identity] {
                results[path] = ModuleInspection(path: path, module: hit, refusal: nil)
                entries.append(Entry(file: identity, module: hit))
            } else {
                misses.append(path)
            }
        }
        for result in misses.isEmpty ? [] : inner.inspect(misses) {
            results[result.path] = result
            if let module = result.module, let identity = identities[result.path] {
                entries.append(Entry(file: identity, module: module))
            }
        }
        if !misses.isEmpty || entries.count != known.count { writeCache(entries) }
        return paths.map { results[$0] ?? ModuleInspection(path: $0, module: nil, refusal: "\($0): not inspected") }
    }

    /// Files seen in the cache, by identity; empty when the cache is missing, corrupt or stale.
    func readCache() -> [FileIdentity: InstalledModule] {
        guard let data = FileManager.default.contents(atPath: cacheFile),
            let document = try? JSONDecoder().decode(Document.self, from: data), document.stamp == stamp
        else { return [:] }
        var known: [FileIdentity: InstalledModule] = [:]
        for entry in document.modules { known[entry.file] = entry.module }
        return known
    }

    /// Atomic (temporary file, then rename), so a daemon killed mid-write leaves the old cache.
    func writeCache(_ entries: [Entry]) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        guard let data = try? encoder.encode(Document(stamp: stamp, modules: entries)) else { return }
        try? data.write(to: URL(fileURLWithPath: cacheFile), options: .atomic)
    }
}
