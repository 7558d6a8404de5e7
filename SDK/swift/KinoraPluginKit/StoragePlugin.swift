/// A validated storage key: 1 to 1024 bytes of UTF-8, `/`-separated segments that are never
/// empty, `.` or `..`, no leading `/`, no NUL or backslash. The kit checks every key the host
/// passes before the plugin sees it, so a plugin can join it under its root safely.
///
/// ```swift
/// let key = try StorageKey(validating: "videos/abc/720p/init.mp4")
/// let file = root + "/" + key.rawValue
/// _ = try StorageKey(validating: "../etc/passwd")  // throws PluginStatus.invalidArgument
/// ```
public struct StorageKey: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    /// - Parameter raw: The key as the host or a listing spelled it.
    /// - Throws: ``PluginStatus/invalidArgument`` naming the rule the key breaks.
    public init(validating raw: String) throws {
        let bytes = raw.utf8
        guard !bytes.isEmpty else { throw PluginError(.invalidArgument, "empty storage key") }
        guard bytes.count <= 1024 else { throw PluginError(.invalidArgument, "storage key longer than 1024 bytes") }
        guard !bytes.contains(0), !bytes.contains(UInt8(ascii: "\\")) else {
            throw PluginError(.invalidArgument, "storage key contains NUL or backslash")
        }
        for segment in raw.split(separator: "/", omittingEmptySubsequences: false) {
            if segment.isEmpty || segment == "." || segment == ".." {
                throw PluginError(.invalidArgument, "storage key \"\(raw)\" has an empty, \".\" or \"..\" segment")
            }
        }
        rawValue = raw
    }

    public var description: String { rawValue }
}

/// Metadata of a stored object: what every storage operation but `remove` returns, so the
/// host can answer HEAD, ranges and ETag checks without a second call.
///
/// ```swift
/// var st = stat()
/// guard fstat(fd, &st) == 0 else { throw PluginError(.io, "stat of \(key)") }
/// return ObjectInfo(key: key.rawValue, size: Int64(st.st_size),
///                   modifiedUnixNanoseconds: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
///                   etag: nil, contentType: "video/mp4")
/// ```
public struct ObjectInfo: Sendable, Hashable {
    public var key: String
    public var size: Int64
    public var modifiedUnixNanoseconds: Int64
    public var etag: String?
    public var contentType: String?

    public init(key: String, size: Int64, modifiedUnixNanoseconds: Int64, etag: String? = nil, contentType: String? = nil) {
        self.key = key
        self.size = size
        self.modifiedUnixNanoseconds = modifiedUnixNanoseconds
        self.etag = etag
        self.contentType = contentType
    }
}

/// One page of a listing. Listings are paged so a bucket with millions of keys never has to
/// fit in one answer.
///
/// ```swift
/// let more = items.count > limit
/// if more { items.removeLast() }
/// return ObjectPage(items: items, nextCursor: more ? items.last?.key : nil)
/// ```
public struct ObjectPage: Sendable {
    public var items: [ObjectInfo]
    /// Pass back to get the next page; nil when the listing is complete.
    public var nextCursor: String?

    public init(items: [ObjectInfo], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// `kinora.storage/1`: flat keys, atomic whole-object writes, ranged reads.
///
/// Every method runs on a host worker thread and may block. Throw ``PluginError`` with the
/// statuses documented in `kinora/plugin.h` (``PluginStatus/notFound`` for a missing key).
///
/// ```swift
/// public final class MemoryStorage: StoragePlugin {
///     public struct Settings: Decodable { var capacity: Int }
///     public static let descriptor = PluginDescriptor(id: "org.example.storage-memory", name: "In-memory storage")
///     public init(settings: Settings, host: PluginHost) throws {}
///     public func put(key: StorageKey, contentType: String?, body: PluginReader, call: PluginCall) throws -> ObjectInfo { … }
///     public func get(key: StorageKey, offset: Int64, length: Int64?, sink: PluginWriter, call: PluginCall) throws -> ObjectInfo { … }
///     public func stat(key: StorageKey, call: PluginCall) throws -> ObjectInfo { … }
///     public func remove(key: StorageKey, call: PluginCall) throws { … }
///     public func list(prefix: String, cursor: String?, limit: Int, call: PluginCall) throws -> ObjectPage { … }
/// }
/// ```
public protocol StoragePlugin: KinoraPlugin {
    /// Stores the reader's bytes under `key`; visible only once complete and durable.
    ///
    /// - Parameters:
    ///   - key: Where to store the object; already validated.
    ///   - contentType: The media type to keep with the object, when the host knows it.
    ///   - body: The bytes; its ``PluginReader/fileDescriptor`` allows a zero-copy path.
    ///   - call: Check it for cancellation while copying.
    /// - Returns: The stored object's metadata.
    /// - Throws: ``PluginError``, e.g. ``PluginStatus/noSpace`` or ``PluginStatus/io``.
    func put(key: StorageKey, contentType: String?, body: PluginReader, call: PluginCall) throws -> ObjectInfo
    /// Writes `length` bytes (nil: to the end) from `offset` into `sink`; returns the whole
    /// object's info. An offset past the end is ``PluginStatus/invalidArgument``.
    ///
    /// - Parameters:
    ///   - key: The object to read.
    ///   - offset: First byte to send; equal to the size sends nothing.
    ///   - length: How many bytes to send; nil sends to the end.
    ///   - sink: Where the bytes go; it blocks while the client is slow.
    ///   - call: Check it for cancellation between chunks.
    /// - Returns: The metadata of the whole object, not of the range.
    /// - Throws: ``PluginStatus/notFound`` for a missing key, ``PluginStatus/invalidArgument``
    ///   for an offset past the end.
    func get(key: StorageKey, offset: Int64, length: Int64?, sink: PluginWriter, call: PluginCall) throws -> ObjectInfo
    /// The object's metadata without its bytes.
    ///
    /// - Throws: ``PluginStatus/notFound`` for a missing key.
    func stat(key: StorageKey, call: PluginCall) throws -> ObjectInfo
    /// Removing a missing key succeeds.
    func remove(key: StorageKey, call: PluginCall) throws
    /// Keys starting with `prefix`, ascending, after `cursor`, at most `limit`.
    ///
    /// - Parameters:
    ///   - prefix: Only keys starting with it; empty lists everything.
    ///   - cursor: The previous page's ``ObjectPage/nextCursor``; nil for the first page.
    ///   - limit: 1 to 1000; the kit refuses anything else before the plugin is called.
    func list(prefix: String, cursor: String?, limit: Int, call: PluginCall) throws -> ObjectPage
}

/// `kinora.storage.localfile/1`: the object's file, so the host can serve it directly.
/// Objects must be replaced by `rename`, so an open file stays whole.
///
/// ```swift
/// // LocalStorage conforms to LocalFileStoragePlugin; `path(_:)` joins the key under its root.
/// public func localPath(for key: StorageKey) throws -> String { try path(key) }
/// ```
public protocol LocalFileStoragePlugin: StoragePlugin {
    /// - Returns: The absolute path of the object's file.
    /// - Throws: ``PluginError`` when the key has no file.
    func localPath(for key: StorageKey) throws -> String
}

/// `kinora.storage.presign/1`: URLs that reach the backend directly, so clients can upload
/// and download without the daemon carrying the bytes.
///
/// ```swift
/// public func presign(key: StorageKey, method: String, ttlSeconds: Int64) throws -> String {
///     guard method == "GET" || method == "PUT" else { throw PluginError(.invalidArgument, "method \(method)") }
///     return signer.url(bucket: bucket, key: key.rawValue, method: method, expires: ttlSeconds)
/// }
/// ```
public protocol PresigningStoragePlugin: StoragePlugin {
    /// `method` is "GET" or "PUT".
    ///
    /// - Parameters:
    ///   - key: The object the URL reaches.
    ///   - method: "GET" or "PUT".
    ///   - ttlSeconds: How long the URL stays valid.
    /// - Returns: The URL as a string.
    func presign(key: StorageKey, method: String, ttlSeconds: Int64) throws -> String
}

/// One manifest file a packager produced; the host stores it next to the segments under
/// `name`.
///
/// ```swift
/// let master = ManifestFile(name: "master.m3u8", mediaType: "application/vnd.apple.mpegurl",
///                           text: lines.joined(separator: "\n") + "\n")
/// ```
public struct ManifestFile: Sendable {
    /// Relative path under the video's folder: "master.m3u8", "720p/media.m3u8".
    public var name: String
    public var mediaType: String
    public var data: [UInt8]

    public init(name: String, mediaType: String, data: [UInt8]) {
        self.name = name
        self.mediaType = mediaType
        self.data = data
    }

    public init(name: String, mediaType: String, text: String) {
        self.init(name: name, mediaType: mediaType, data: Array(text.utf8))
    }
}

/// `kinora.packager/1`: manifests over the host's CMAF segments. The host cuts segments once;
/// each packager plugin only writes text, so adding a streaming format needs no transcoding.
///
/// ```swift
/// public func package(presentation: String, call: PluginCall) throws -> (files: [ManifestFile], entry: String) {
///     try call.checkCancellation()
///     let parsed = try PackagerPresentation.parse(presentation)
///     return (try HLSWriter(parsed).files(), HLSWriter.master)
/// }
/// ```
public protocol PackagerPlugin: KinoraPlugin {
    /// Builds the manifests for a presentation (the JSON described in `kinora/plugin.h`).
    /// Returns the files and the name players start from. Throw ``PluginStatus/invalidArgument``
    /// naming the key for a malformed presentation.
    func package(presentation: String, call: PluginCall) throws -> (files: [ManifestFile], entry: String)
}

/// `kinora.packager.growing/1`: manifests for a video whose first pass is still being made
/// (the presentation has `"complete": false`, ``PackagerPresentation/complete``), which must
/// let players start at the beginning and keep reloading; `package` later writes the same
/// names for the complete video. A packager without it is called only once the first pass is
/// complete.
///
/// ```swift
/// public func packageGrowing(presentation: String, call: PluginCall) throws -> (files: [ManifestFile], entry: String) {
///     let parsed = try PackagerPresentation.parse(presentation)  // parsed.complete == false
///     return (try HLSWriter(parsed).files(), HLSWriter.master)  // EVENT playlists, no ENDLIST
/// }
/// ```
public protocol GrowingPackagerPlugin: PackagerPlugin {
    func packageGrowing(presentation: String, call: PluginCall) throws -> (files: [ManifestFile], entry: String)
}
