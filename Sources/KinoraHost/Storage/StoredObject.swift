import KinoraPluginABI

/// Metadata of a stored object, host side: a Swift copy of the plugin's answer, since the C
/// strings are only valid inside the completion.
///
/// ```swift
/// let info = try await media.stat("videos/abc/original.mp4")
/// print(info.size, info.etag ?? "-", info.contentType ?? "application/octet-stream")
/// ```
public struct StoredObject: Sendable, Hashable {
    public var key: String
    public var size: Int64
    public var modifiedUnixNanoseconds: Int64
    public var etag: String?
    public var contentType: String?

    init(_ info: kn_object_info_t) {
        func str(_ p: UnsafePointer<CChar>?) -> String? { p.map { String(cString: $0) } }
        key = str(info.key) ?? ""
        size = info.size
        modifiedUnixNanoseconds = info.mtime_unix_ns
        etag = str(info.etag)
        contentType = str(info.content_type)
    }

    static func decode(_ result: UnsafeRawPointer?) throws -> StoredObject {
        guard let result else { throw PluginCallError(status: .internal, message: "plugin completed without object info", instance: "?") }
        return StoredObject(result.assumingMemoryBound(to: kn_object_info_t.self).pointee)
    }
}

/// One page of a listing, host side. Pass `nextCursor` back until it is nil to see every key.
///
/// ```swift
/// var cursor: String?
/// repeat {
///     let page = try await storage.list(prefix: "videos/abc/", cursor: cursor)
///     for object in page.objects { print(object.key, object.size) }
///     cursor = page.nextCursor
/// } while cursor != nil
/// ```
public struct StoredPage: Sendable {
    public var objects: [StoredObject]
    public var nextCursor: String?
}
