import KinoraPluginABI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An object's metadata as a `kinora.storage/1` completion reported it.
public struct StoredObjectInfo: Sendable, Hashable {
    public var key: String
    public var size: Int64
    public var modifiedUnixNanoseconds: Int64
    public var etag: String?
    public var contentType: String?
}

/// One page of a listing.
public struct StoredObjectPage: Sendable {
    public var objects: [StoredObjectInfo]
    public var nextCursor: String?
}

/// Blocking calls into a raw `kn_storage_v1_t`, each with its own kn_call_t, reader or writer
/// and completion, so the storage suite reads like a user of the interface.
///
/// ```swift
/// let storage = try StorageDriver(plugin)
/// try storage.put("a/b.txt", bytes: Array("hi".utf8))
/// print(try storage.read("a/b.txt"), try storage.stat("a/b.txt").size)
/// ```
public struct StorageDriver: @unchecked Sendable {
    // The table stays valid until destroy(), after every case; its operations are [blocking-ok].
    public let plugin: PluginUnderTest
    let table: UnsafePointer<kn_storage_v1_t>

    /// - Throws: ``ConformanceFailure`` when the instance offers no `kinora.storage/1` table.
    public init(_ plugin: PluginUnderTest) throws {
        guard let table = plugin.table(KN_STORAGE_ID, as: kn_storage_v1_t.self) else {
            throw ConformanceFailure("the instance returns no \(KN_STORAGE_ID) table")
        }
        let t = table.pointee
        for (name, missing) in [
            ("put", t.put == nil), ("get", t.get == nil), ("stat", t.stat == nil), ("remove", t.remove == nil), ("list", t.list == nil),
        ]
        where missing {
            throw ConformanceFailure("\(KN_STORAGE_ID): the table's \(name) is NULL")
        }
        self.plugin = plugin
        self.table = table
    }

    static func info(_ p: UnsafeRawPointer?) throws -> StoredObjectInfo {
        guard let p else { throw ConformanceFailure("the completion reported success without an object info") }
        return info(p.assumingMemoryBound(to: kn_object_info_t.self).pointee)
    }

    static func info(_ i: kn_object_info_t) -> StoredObjectInfo {
        StoredObjectInfo(
            key: i.key.map { String(cString: $0) } ?? "", size: i.size, modifiedUnixNanoseconds: i.mtime_unix_ns,
            etag: i.etag.map { String(cString: $0) }, contentType: i.content_type.map { String(cString: $0) })
    }

    /// Stores the bytes `source` produces; a source that throws makes the reader fail with KN_E_IO.
    @discardableResult
    public func put(_ key: String, contentType: String? = nil, source: ChunkSource) throws -> StoredObjectInfo {
        let reader = ReaderBox(source)
        return try PluginCallRunner.perform(plugin, what: "put \(key)", decode: Self.info) { call, done, box in
            box.keepAlive.append(reader)
            table.pointee.put!(plugin.raw, call, box.cString(key), box.cString(contentType), reader.reader, done)
        }
    }

    @discardableResult
    public func put(_ key: String, contentType: String? = nil, bytes: [UInt8]) throws -> StoredObjectInfo {
        try put(key, contentType: contentType, source: ChunkSource(bytes: bytes))
    }

    /// Streams `[offset, offset+length)` (nil: to the end) into `sink`; returns the whole object's info.
    @discardableResult
    public func get(
        _ key: String, offset: Int64 = 0, length: Int64? = nil, sink: @escaping (UnsafeRawBufferPointer) throws -> Void
    )
        throws -> StoredObjectInfo
    {
        let writer = WriterBox(sink)
        return try PluginCallRunner.perform(plugin, what: "get \(key)", decode: Self.info) { call, done, box in
            box.keepAlive.append(writer)
            table.pointee.get!(plugin.raw, call, box.cString(key), offset, length ?? -1, writer.writer, done)
        }
    }

    /// The whole object, refusing more than `limit` bytes.
    public func read(_ key: String, limit: Int = 16 << 20) throws -> [UInt8] {
        let collected = Collected()
        try get(key) { chunk in
            collected.bytes.append(contentsOf: chunk)
            if collected.bytes.count > limit { throw ConformanceFailure("\(key) is larger than \(limit) bytes") }
        }
        return collected.bytes
    }

    public func stat(_ key: String) throws -> StoredObjectInfo {
        try PluginCallRunner.perform(plugin, what: "stat \(key)", decode: Self.info) { call, done, box in
            table.pointee.stat!(plugin.raw, call, box.cString(key), done)
        }
    }

    public func remove(_ key: String) throws {
        try PluginCallRunner.perform(plugin, what: "remove \(key)", decode: { _ in () }) { call, done, box in
            table.pointee.remove!(plugin.raw, call, box.cString(key), done)
        }
    }

    public func list(prefix: String = "", cursor: String? = nil, limit: UInt32 = 1000) throws -> StoredObjectPage {
        try PluginCallRunner.perform(
            plugin, what: "list \(prefix)",
            decode: { p -> StoredObjectPage in
                guard let list = p?.assumingMemoryBound(to: kn_object_list_t.self).pointee else {
                    throw ConformanceFailure("list reported success without a list")
                }
                let items = (0..<list.count).map { Self.info(list.items[$0]) }
                return StoredObjectPage(objects: items, nextCursor: list.next_cursor.map { String(cString: $0) })
            }
        ) { call, done, box in
            table.pointee.list!(plugin.raw, call, box.cString(prefix), box.cString(cursor), limit, done)
        }
    }

    /// Removes every object, so the next case starts from an empty instance.
    public func removeEverything() throws {
        var cursor: String?
        var keys: [String] = []
        repeat {
            let page = try list(cursor: cursor)
            keys += page.objects.map(\.key)
            cursor = page.nextCursor
        } while cursor != nil
        for key in keys { try remove(key) }
    }
}

/// Bytes for a put, produced chunk by chunk so a large object never sits in memory.
public final class ChunkSource: @unchecked Sendable {
    // Used by one reader at a time (the plugin reads a body sequentially).
    let next: () throws -> [UInt8]?

    /// - Parameter next: The next chunk, nil at the end; throwing fails the read with KN_E_IO.
    public init(_ next: @escaping () throws -> [UInt8]?) { self.next = next }

    public convenience init(bytes: [UInt8]) {
        var sent = false
        self.init {
            defer { sent = true }
            return sent || bytes.isEmpty ? nil : bytes
        }
    }

    /// Deterministic pseudo-random chunks (or `fill` bytes) that fail with KN_E_IO at chunk
    /// `failAfter` when it is set.
    public convenience init(chunks: Int, chunkSize: Int, seed: UInt64 = 1, fill: UInt8? = nil, failAfter: Int? = nil) {
        var index = 0
        self.init {
            if let failAfter, index == failAfter { throw ConformanceFailure("injected read failure") }
            guard index < chunks else { return nil }
            defer { index += 1 }
            if let fill { return [UInt8](repeating: fill, count: chunkSize) }
            return TestData.chunk(index, size: chunkSize, seed: seed)
        }
    }
}

final class Collected: @unchecked Sendable {
    // Appended to by one sink, which the plugin calls sequentially.
    var bytes: [UInt8] = []
}

/// A kn_reader_t over a ChunkSource.
final class ReaderBox {
    let source: ChunkSource
    var pending: [UInt8] = []
    var offset = 0
    var finished = false

    init(_ source: ChunkSource) { self.source = source }

    var reader: kn_reader_t {
        kn_reader_t(
            ctx: Unmanaged.passUnretained(self).toOpaque(),
            read: { ctx, buf, cap in
                let box = Unmanaged<ReaderBox>.fromOpaque(ctx!).takeUnretainedValue()
                return box.read(buf, cap)
            }, size_hint: -1, fd: -1)
    }

    func read(_ buf: UnsafeMutablePointer<UInt8>?, _ cap: Int) -> Int64 {
        guard let buf, cap > 0 else { return Int64(KN_E_INVALID_ARGUMENT) }
        while offset == pending.count {
            if finished { return 0 }
            do {
                guard let chunk = try source.next() else {
                    finished = true
                    return 0
                }
                pending = chunk
                offset = 0
            } catch {
                return Int64(KN_E_IO)
            }
        }
        let n = min(cap, pending.count - offset)
        pending.withUnsafeBufferPointer { buf.update(from: $0.baseAddress! + offset, count: n) }
        offset += n
        return Int64(n)
    }
}

/// A kn_writer_t over a Swift closure.
final class WriterBox {
    let sink: (UnsafeRawBufferPointer) throws -> Void
    init(_ sink: @escaping (UnsafeRawBufferPointer) throws -> Void) { self.sink = sink }

    var writer: kn_writer_t {
        kn_writer_t(
            ctx: Unmanaged.passUnretained(self).toOpaque(),
            write: { ctx, buf, len in
                let box = Unmanaged<WriterBox>.fromOpaque(ctx!).takeUnretainedValue()
                do {
                    try box.sink(UnsafeRawBufferPointer(start: buf, count: len))
                    return KN_OK
                } catch {
                    return KN_E_CANCELLED
                }
            })
    }
}
