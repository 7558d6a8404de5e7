import KinoraPluginKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin, errno-checked wrappers over the POSIX calls the plugin needs.
enum FileOps {
    /// stat(2) under a name that a type's own `stat` method cannot shadow.
    static func statPath(_ path: String, _ st: inout Glibc.stat) -> Int32 { stat(path, &st) }

    static func makeDirectories(_ path: String) throws {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o750) != 0 && errno != EEXIST {
                throw PluginError.errno(errno, "creating folder \(current)")
            }
        }
    }

    static func uniqueName() -> String {
        var rng = SystemRandomNumberGenerator()
        return "put-" + String(rng.next() as UInt64, radix: 36) + String(rng.next() as UInt64, radix: 36)
    }

    /// Renames into place, creating missing parent folders; retries once when a concurrent
    /// remove pruned an empty parent between the mkdir and the rename.
    static func renameCreatingParents(_ from: String, to: String, syncFolder: Bool) throws {
        let parent = parentFolder(of: to)
        for attempt in 0..<3 {
            try makeDirectories(parent)
            if rename(from, to) == 0 {
                if syncFolder { try fsyncFolder(parent) }
                return
            }
            if errno == EISDIR { throw PluginError(.alreadyExists, "a folder of objects already uses this key") }
            if errno == ENOTDIR { throw PluginError(.alreadyExists, "an object uses part of this key as a folder") }
            if errno != ENOENT || attempt == 2 { throw PluginError.errno(errno, "renaming into \(to)") }
        }
    }

    static func fsyncFolder(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw PluginError.errno(errno, "opening folder \(path)") }
        defer { close(fd) }
        if fsync(fd) != 0 { throw PluginError.errno(errno, "fsync of folder \(path)") }
    }

    static func parentFolder(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        return String(path[..<slash])
    }

    /// Removes folders left empty by a remove, up to (not including) the root.
    static func removeEmptyParents(of file: String, stoppingAt root: String) {
        var folder = parentFolder(of: file)
        while folder.count > root.count && folder.hasPrefix(root + "/") {
            if rmdir(folder) != 0 { return }
            folder = parentFolder(of: folder)
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw PluginError.errno(errno, "writing")
            }
            offset += n
        }
    }

    /// In-kernel copy when the reader is a regular file. Returns false when the file system
    /// pair does not support it (the caller then copies through user space).
    static func copyFileRange(from source: Int32, to target: Int32, call: PluginCall) throws -> Bool {
        guard let copyFileRange = LibcExtras.copyFileRange else { return false }
        var sourceOffset: off_t = 0
        var first = true
        while true {
            try call.checkCancellation()
            let n = copyFileRange(source, &sourceOffset, target, nil, 1 << 30, 0)
            if n < 0 {
                if errno == EINTR { continue }
                if first && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) { return false }
                throw PluginError.errno(errno, "copying")
            }
            if n == 0 { return true }
            first = false
        }
    }

    static func entries(of folder: String) -> [String] {
        guard let dir = opendir(folder) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
