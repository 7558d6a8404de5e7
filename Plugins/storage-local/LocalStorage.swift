import KinoraPluginKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `org.kinora.storage-local`: objects as files under a root folder.
///
/// Writes go to a temporary file under `<root>/.kinora-tmp/`, are fsynced, renamed into
/// place and the folder fsynced, so a reader or a crash sees the old object or the new one,
/// never a part. Serving can skip the plugin entirely through `kinora.storage.localfile/1`.
public final class LocalStorage: LocalFileStoragePlugin {
    public struct Settings: Decodable, Sendable {
        var root: String
        var fsync: Bool?
        var create_root: Bool?
    }

    public static let descriptor = PluginDescriptor(
        id: "org.kinora.storage-local",
        name: "Local file storage",
        vendor: "Kinora",
        version: "1.0.0",
        description: "Stores objects as files under a folder, with atomic replace and fsync.",
        url: "https://kinora.invalid/doc/plugins/storage-local",
        configSchema: #"""
            {"type":"object","additionalProperties":false,"required":["root"],
             "properties":{
               "root":{"type":"string","minLength":1,"pattern":"^/","description":"absolute folder holding the objects"},
               "fsync":{"type":"boolean","default":true,"description":"fsync files and folders before a put completes"},
               "create_root":{"type":"boolean","default":true,"description":"create the root folder when missing"}}}
            """#
    )

    static let tempFolder = ".kinora-tmp"

    let root: String
    let durable: Bool
    let createRoot: Bool
    let host: PluginHost

    public init(settings: Settings, host: PluginHost) throws {
        guard settings.root.hasPrefix("/") else {
            throw PluginError(.config, "settings.root: must be an absolute path (found \"\(settings.root)\")")
        }
        var root = settings.root
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        self.root = root
        durable = settings.fsync ?? true
        createRoot = settings.create_root ?? true
        self.host = host
    }

    public func start() throws {
        if createRoot { try FileOps.makeDirectories(root) }
        var st = Glibc.stat()
        guard FileOps.statPath(root, &st) == 0 else { throw PluginError.errno(errno, "root folder \(root)") }
        guard st.st_mode & S_IFMT == S_IFDIR else { throw PluginError(.config, "settings.root: \(root) is not a folder") }
        guard access(root, W_OK) == 0 else { throw PluginError.errno(errno, "root folder \(root) is not writable") }
        try FileOps.makeDirectories(tempPath)
        removeStaleTemporaries()
        host.log(.info, "serving objects from \(root)")
    }

    var tempPath: String { root + "/" + Self.tempFolder }

    func path(_ key: StorageKey) throws -> String {
        if key.rawValue == Self.tempFolder || key.rawValue.hasPrefix(Self.tempFolder + "/") {
            throw PluginError(.invalidArgument, "keys under \(Self.tempFolder)/ are reserved")
        }
        return root + "/" + key.rawValue
    }

    public func localPath(for key: StorageKey) throws -> String { try path(key) }

    // MARK: put

    public func put(key: StorageKey, contentType: String?, body: PluginReader, call: PluginCall) throws -> ObjectInfo {
        let target = try path(key)
        let temp = tempPath + "/" + FileOps.uniqueName()
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw PluginError.errno(errno, "creating a temporary file for \(key)") }
        var renamed = false
        defer {
            close(fd)
            if !renamed { unlink(temp) }
        }
        try copy(from: body, to: fd, call: call)
        if let contentType {
            // Best effort: file systems without user xattrs simply lose the content type.
            _ = contentType.withCString { LibcExtras.fsetxattr?(fd, "user.kinora.content_type", $0, strlen($0), 0) }
        }
        if durable, fsync(fd) != 0 { throw PluginError.errno(errno, "fsync of \(key)") }
        try call.checkCancellation()
        try FileOps.renameCreatingParents(temp, to: target, syncFolder: durable)
        renamed = true
        return try info(of: key, at: target)
    }

    private func copy(from body: PluginReader, to fd: Int32, call: PluginCall) throws {
        if let source = body.fileDescriptor, try FileOps.copyFileRange(from: source, to: fd, call: call) {
            return
        }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            try call.checkCancellation()
            let n = try body.read(into: chunk)
            if n == 0 { return }
            try FileOps.writeAll(fd, UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
        }
    }

    // MARK: get, stat, remove

    public func get(key: StorageKey, offset: Int64, length: Int64?, sink: PluginWriter, call: PluginCall) throws -> ObjectInfo {
        let file = try path(key)
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw PluginError.errno(errno, "opening \(key)") }
        defer { close(fd) }
        let info = try info(of: key, fd: fd)
        guard offset <= info.size else {
            throw PluginError(.invalidArgument, "offset \(offset) is past the end of \(key) (\(info.size) bytes)")
        }
        var remaining = min(length ?? Int64.max, info.size - offset)
        var position = offset
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        while remaining > 0 {
            try call.checkCancellation()
            let want = Int(min(Int64(chunk.count), remaining))
            let n = pread(fd, chunk.baseAddress, want, off_t(position))
            if n < 0 {
                if errno == EINTR { continue }
                throw PluginError.errno(errno, "reading \(key)")
            }
            if n == 0 { break }  // truncated underneath us: send what exists
            try sink.write(UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
            position += Int64(n)
            remaining -= Int64(n)
        }
        return info
    }

    public func stat(key: StorageKey, call: PluginCall) throws -> ObjectInfo {
        try info(of: key, at: try path(key))
    }

    public func remove(key: StorageKey, call: PluginCall) throws {
        let file = try path(key)
        if unlink(file) != 0 {
            if errno == ENOENT || errno == ENOTDIR { return }
            if errno == EISDIR { throw PluginError(.notFound, "\(key) is a folder of objects, not an object") }
            throw PluginError.errno(errno, "removing \(key)")
        }
        FileOps.removeEmptyParents(of: file, stoppingAt: root)
    }

    // MARK: helpers

    func info(of key: StorageKey, at file: String) throws -> ObjectInfo {
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw PluginError.errno(errno, "\(key)") }
        defer { close(fd) }
        return try info(of: key, fd: fd)
    }

    func info(of key: StorageKey, fd: Int32) throws -> ObjectInfo {
        var st = Glibc.stat()
        guard fstat(fd, &st) == 0 else { throw PluginError.errno(errno, "\(key)") }
        guard st.st_mode & S_IFMT == S_IFREG else { throw PluginError(.notFound, "\(key) is not an object") }
        var typeBuffer = [CChar](repeating: 0, count: 256)
        let typeLength = LibcExtras.fgetxattr?(fd, "user.kinora.content_type", &typeBuffer, typeBuffer.count - 1) ?? -1
        let contentType = typeLength > 0 ? String(decoding: typeBuffer[0..<typeLength].map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
        let mtime = LocalFileETag.nanoseconds(seconds: st.st_mtim.tv_sec, nanoseconds: st.st_mtim.tv_nsec)
        let etag = LocalFileETag.make(inode: UInt64(st.st_ino), size: Int64(st.st_size), modifiedNanoseconds: mtime)
        return ObjectInfo(key: key.rawValue, size: Int64(st.st_size), modifiedUnixNanoseconds: mtime, etag: etag, contentType: contentType)
    }

    /// Temporary files older than an hour belong to puts that a crash interrupted.
    private func removeStaleTemporaries() {
        let cutoff = time(nil) - 3600
        for name in FileOps.entries(of: tempPath) {
            var st = Glibc.stat()
            let file = tempPath + "/" + name
            if lstat(file, &st) == 0, st.st_mtim.tv_sec < cutoff { unlink(file) }
        }
    }
}

@_cdecl("kinora_module_entry_v1")
public func kinoraModuleEntry() -> UnsafeRawPointer {
    PluginModule.entry(LocalStorage.self)
}
