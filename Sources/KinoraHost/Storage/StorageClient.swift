import Dispatch
import KinoraPluginABI
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// Async access to a `kinora.storage/1` instance. Every operation runs on the plugin call
/// pool; byte streams never sit whole in memory.
///
/// ```swift
/// let media = registry.storage(named: "media")!
/// try await media.put("videos/abc/original.mp4", file: "/tmp/upload-123")
/// let info = try await media.stat("videos/abc/original.mp4")
/// ```
public struct StorageClient: Sendable {
    public let instance: PluginInstance
    let table: ABITable<kn_storage_v1_t>

    init?(_ instance: PluginInstance) {
        guard let table = instance.interface(KN_STORAGE_ID, as: kn_storage_v1_t.self) else { return nil }
        self.instance = instance
        self.table = ABITable(table)
    }

    public var name: String { instance.name }

    /// Stores the file at `path` (the plugin may copy it in-kernel through the fd fast path).
    @discardableResult
    public func put(_ key: String, contentType: String? = nil, file path: String, requestID: String? = nil) async throws -> StoredObject {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw PluginCallError(status: .notFound, message: "\(path): \(String(cString: strerror(errno)))", instance: name)
        }
        defer { close(fd) }
        var st = Glibc.stat()
        fstat(fd, &st)
        let reader = FileReader(fd: fd)
        let size = Int64(st.st_size)
        let table = self.table
        return try await instance.invoke(
            requestID: requestID, strings: [key, contentType],
            { plugin, call, s, done in
                table.pointee.put?(plugin, call, s[0], s[1], reader.reader(sizeHint: size), done)
            }, decode: StoredObject.decode, finished: { withExtendedLifetime(reader) {} })
    }

    /// Stores the bytes of `body`, streaming: at most a few chunks are buffered at once.
    @discardableResult
    public func put<Body: AsyncSequence & Sendable>(
        _ key: String, contentType: String? = nil, body: Body, sizeHint: Int64? = nil, requestID: String? = nil
    ) async throws -> StoredObject where Body.Element == [UInt8] {
        let bridge = ReaderBridge()
        let table = self.table
        let producer = Task {
            do {
                for try await chunk in body where !chunk.isEmpty {
                    if await !bridge.push(chunk) { return }
                }
                bridge.finish()
            } catch {
                bridge.finish(status: KN_E_CANCELLED)
            }
        }
        defer { producer.cancel() }
        return try await instance.invoke(
            requestID: requestID, strings: [key, contentType],
            { plugin, call, s, done in
                table.pointee.put?(plugin, call, s[0], s[1], bridge.reader(sizeHint: sizeHint ?? -1), done)
            }, decode: StoredObject.decode, finished: { bridge.consumerFinished() })
    }

    /// Stores a small byte array.
    @discardableResult
    public func put(_ key: String, contentType: String? = nil, bytes: [UInt8], requestID: String? = nil) async throws -> StoredObject {
        try await put(key, contentType: contentType, body: SingleChunk(bytes: bytes), sizeHint: Int64(bytes.count), requestID: requestID)
    }

    /// Streams bytes [offset, offset+length) to `sink`, which runs on a plugin worker thread
    /// and may block (that is the backpressure). Throwing from `sink` cancels the read.
    @discardableResult
    public func get(
        _ key: String, offset: Int64 = 0, length: Int64? = nil, requestID: String? = nil,
        sink: @escaping @Sendable (UnsafeRawBufferPointer) throws -> Void
    ) async throws -> StoredObject {
        let writer = SinkWriter(sink)
        let table = self.table
        return try await instance.invoke(
            requestID: requestID, strings: [key],
            { plugin, call, s, done in
                table.pointee.get?(plugin, call, s[0], offset, length ?? -1, writer.writer(), done)
            }, decode: StoredObject.decode, finished: { withExtendedLifetime(writer) {} })
    }

    /// Reads a whole (small) object into memory, refusing more than `limit` bytes.
    public func read(_ key: String, limit: Int = 16 << 20) async throws -> [UInt8] {
        let collected = ByteCollector(limit: limit)
        try await get(key) { try collected.append($0) }
        return collected.bytes
    }

    public func stat(_ key: String, requestID: String? = nil) async throws -> StoredObject {
        let table = self.table
        return try await instance.invoke(
            requestID: requestID, strings: [key],
            { plugin, call, s, done in
                table.pointee.stat?(plugin, call, s[0], done)
            }, decode: StoredObject.decode)
    }

    public func remove(_ key: String, requestID: String? = nil) async throws {
        let table = self.table
        try await instance.invoke(
            requestID: requestID, strings: [key],
            { plugin, call, s, done in
                table.pointee.remove?(plugin, call, s[0], done)
            }, decode: { _ in () })
    }

    public func list(prefix: String = "", cursor: String? = nil, limit: Int = 1000, requestID: String? = nil) async throws -> StoredPage {
        let table = self.table
        return try await instance.invoke(
            requestID: requestID, strings: [prefix, cursor],
            { plugin, call, s, done in
                table.pointee.list?(plugin, call, s[0], s[1], UInt32(clamping: limit), done)
            },
            decode: { result in
                guard let list = result?.assumingMemoryBound(to: kn_object_list_t.self).pointee else {
                    throw PluginCallError(status: .internal, message: "list completed without a result", instance: "?")
                }
                let items = (0..<list.count).map { StoredObject(list.items[$0]) }
                return StoredPage(objects: items, nextCursor: list.next_cursor.map { String(cString: $0) })
            })
    }

    /// Removes every object whose key starts with `prefix` (a video's folder, for instance).
    public func removeAll(prefix: String, requestID: String? = nil) async throws {
        var cursor: String?
        repeat {
            let page = try await list(prefix: prefix, cursor: cursor, limit: 1000, requestID: requestID)
            for object in page.objects { try await remove(object.key, requestID: requestID) }
            cursor = page.nextCursor
        } while cursor != nil
    }

    /// `stat` on the calling thread, bypassing the call pool and async machinery: for tools and
    /// benchmarks that own a thread they may block. Waits for the completion.
    public func statBlocking(_ key: String) throws -> StoredObject {
        let outcome = NIOLockedValueBox<Result<StoredObject, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let instanceName = name
        let state = CallState(requestID: nil, deadline: nil, strings: [key], owner: instance.callOwner) { status, err, result in
            outcome.withLockedValue {
                $0 = status == KN_OK ? Result { try StoredObject.decode(result) } : .failure(PluginCallError(status, err, instance: instanceName))
            }
            done.signal()
        }
        table.pointee.stat?(instance.raw, UnsafePointer(state.raw), state.strings[0], state.completion())
        done.wait()
        guard let result = outcome.withLockedValue({ $0 }) else { throw PluginCallError(status: .internal, message: "no completion", instance: name) }
        return try result.get()
    }

    /// The object's file when the plugin offers `kinora.storage.localfile/1`, so the server
    /// can open and send it directly; nil otherwise.
    public func localPath(_ key: String) throws -> String? {
        guard let table = instance.interface(KN_STORAGE_LOCALFILE_ID, as: kn_storage_localfile_v1_t.self),
            let localPath = table.pointee.local_path
        else { return nil }
        return try Self.stringResult(instance: name) { buffer, cap, err in
            key.withCString { localPath(instance.raw, $0, buffer, cap, err) }
        }
    }

    /// A presigned URL when the plugin offers `kinora.storage.presign/1`; nil otherwise.
    public func presign(_ key: String, method: String = "GET", ttlSeconds: Int64) throws -> String? {
        guard let table = instance.interface(KN_STORAGE_PRESIGN_ID, as: kn_storage_presign_v1_t.self),
            let presign = table.pointee.presign
        else { return nil }
        return try Self.stringResult(instance: name) { buffer, cap, err in
            key.withCString { k in method.withCString { presign(instance.raw, k, $0, ttlSeconds, buffer, cap, err) } }
        }
    }

    /// Calls a "write a string into my buffer" function, growing the buffer once if asked.
    static func stringResult(
        instance: String, _ body: (UnsafeMutablePointer<CChar>, Int, UnsafeMutablePointer<kn_error_t>) -> kn_status_t
    ) throws -> String {
        var capacity = 4096
        for _ in 0..<2 {
            var buffer = [CChar](repeating: 0, count: capacity)
            var err = kn_error_t()
            let status = buffer.withUnsafeMutableBufferPointer { b in b.baseAddress.map { body($0, capacity, &err) } ?? KN_E_NO_MEMORY }
            if status == KN_OK { return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
            if status == KN_E_INVALID_ARGUMENT && Int(err.detail) > capacity && err.detail < 1 << 20 {
                capacity = Int(err.detail)
                continue
            }
            throw PluginCallError(status, &err, instance: instance)
        }
        throw PluginCallError(status: .internal, message: "result does not fit", instance: instance)
    }
}
