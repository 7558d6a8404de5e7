import KinoraPluginKit
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The module's one exported symbol: the kit builds the C tables from the plugin type.
@_cdecl("kinora_module_entry_v1")
public func kinoraModuleEntry() -> UnsafeRawPointer {
    PluginModule.entry(MemoryStorage.self)
}

/// `org.example.storage-memory`: objects in a dictionary, gone when the daemon stops. Useful
/// for tests and as a template: every rule of `kinora.storage/1` the conformance suite checks
/// is here in a few lines (atomic puts, ranges, bytewise listing with cursors, key checks).
public final class MemoryStorage: StoragePlugin {
    public struct Settings: Decodable, Sendable {
        /// The most bytes all objects together may hold; a put beyond it fails with no space.
        var max_bytes: Int64
    }

    public static let descriptor = PluginDescriptor(
        id: "org.example.storage-memory", name: "In-memory storage", vendor: "Example", version: "1.0.0",
        description: "Keeps objects in memory; for tests and as a template.",
        configSchema: #"""
            {"type":"object","additionalProperties":false,
             "properties":{"max_bytes":{"type":"integer","minimum":1,"default":1073741824,
                                        "description":"most bytes held by all objects together"}}}
            """#)

    struct Object {
        var bytes: [UInt8]
        var info: ObjectInfo
    }

    struct Store {
        var objects: [String: Object] = [:]
        var total: Int64 = 0
        var generation: UInt64 = 0
    }

    let limit: Int64
    let store = Mutex(Store())

    public init(settings: Settings, host: PluginHost) throws {
        limit = settings.max_bytes
        host.log(.info, "holding at most \(limit) bytes in memory")
    }

    public func put(key: StorageKey, contentType: String?, body: PluginReader, call: PluginCall) throws -> ObjectInfo {
        // Read the whole body first: a body that fails midway leaves the old object untouched.
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            try call.checkCancellation()
            let n = try chunk.withUnsafeMutableBytes { try body.read(into: $0) }
            if n == 0 { break }
            guard Int64(bytes.count + n) <= limit else { throw PluginError(.noSpace, "\(key) is larger than max_bytes (\(limit))") }
            bytes += chunk[0..<n]
        }
        return try store.withLock { s in
            let old = Int64(s.objects[key.rawValue]?.bytes.count ?? 0)
            guard s.total - old + Int64(bytes.count) <= limit else { throw PluginError(.noSpace, "max_bytes (\(limit)) reached") }
            s.generation += 1
            let info = ObjectInfo(
                key: key.rawValue, size: Int64(bytes.count), modifiedUnixNanoseconds: Self.now(),
                etag: "\"" + String(s.generation, radix: 16) + "\"", contentType: contentType)
            s.objects[key.rawValue] = Object(bytes: bytes, info: info)
            s.total += Int64(bytes.count) - old
            return info
        }
    }

    public func get(key: StorageKey, offset: Int64, length: Int64?, sink: PluginWriter, call: PluginCall) throws -> ObjectInfo {
        // Copy out under the lock (arrays are copy-on-write, so this is cheap), then stream
        // without holding it: a slow consumer must not block writers.
        let object = try object(key)
        let size = Int64(object.bytes.count)
        guard offset <= size else { throw PluginError(.invalidArgument, "offset \(offset) is past the end of \(key) (\(size) bytes)") }
        let end = length.map { min(size, offset + $0) } ?? size
        var position = Int(offset)
        while position < Int(end) {
            try call.checkCancellation()
            let next = min(Int(end), position + 64 * 1024)
            try object.bytes[position..<next].withUnsafeBytes { try sink.write($0) }
            position = next
        }
        return object.info
    }

    public func stat(key: StorageKey, call: PluginCall) throws -> ObjectInfo { try object(key).info }

    public func remove(key: StorageKey, call: PluginCall) throws {
        store.withLock { s in
            if let old = s.objects.removeValue(forKey: key.rawValue) { s.total -= Int64(old.bytes.count) }
        }
    }

    public func list(prefix: String, cursor: String?, limit: Int, call: PluginCall) throws -> ObjectPage {
        try Self.checkPrefix(prefix)
        let after = cursor.map { Array($0.utf8) }
        // Bytewise order, as the header requires (Swift's String order is by Unicode scalars
        // after normalisation, which is not the same).
        var keys = store.withLock { s in s.objects.keys.filter { $0.utf8.starts(with: prefix.utf8) }.map { Array($0.utf8) } }
        if let after { keys = keys.filter { after.lexicographicallyPrecedes($0) } }
        keys.sort { $0.lexicographicallyPrecedes($1) }
        let page = keys.prefix(limit).map { String(decoding: $0, as: UTF8.self) }
        let items = store.withLock { s in page.compactMap { s.objects[$0]?.info } }
        return ObjectPage(items: items, nextCursor: keys.count > limit ? page.last : nil)
    }

    func object(_ key: StorageKey) throws -> Object {
        guard let object = store.withLock({ $0.objects[key.rawValue] }) else { throw PluginError(.notFound, "no object at \(key)") }
        return object
    }

    /// A prefix is the start of some valid key: no '/' first, no NUL or backslash, no empty,
    /// "." or ".." segment before the last '/'.
    static func checkPrefix(_ prefix: String) throws {
        guard !prefix.isEmpty else { return }
        let segments = prefix.split(separator: "/", omittingEmptySubsequences: false)
        let bad =
            prefix.utf8.count > 1024 || prefix.utf8.contains(0) || prefix.utf8.contains(UInt8(ascii: "\\"))
            || segments.dropLast().contains { $0.isEmpty || $0 == "." || $0 == ".." } || segments.last == ".."
        if bad { throw PluginError(.invalidArgument, "prefix \"\(prefix)\" can start no valid key") }
    }

    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
