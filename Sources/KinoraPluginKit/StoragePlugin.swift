/// A validated storage key: 1 to 1024 bytes of UTF-8, `/`-separated segments that are never
/// empty, `.` or `..`, no leading `/`, no NUL or backslash. The kit checks every key the host
/// passes before the plugin sees it, so a plugin can join it under its root safely.
public struct StorageKey: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

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

/// Metadata of a stored object.
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

/// One page of a listing.
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
public protocol StoragePlugin: KinoraPlugin {
    /// Stores the reader's bytes under `key`; visible only once complete and durable.
    func put(key: StorageKey, contentType: String?, body: PluginReader, call: PluginCall) throws -> ObjectInfo
    /// Writes `length` bytes (nil: to the end) from `offset` into `sink`; returns the whole
    /// object's info. An offset past the end is ``PluginStatus/invalidArgument``.
    func get(key: StorageKey, offset: Int64, length: Int64?, sink: PluginWriter, call: PluginCall) throws -> ObjectInfo
    func stat(key: StorageKey, call: PluginCall) throws -> ObjectInfo
    /// Removing a missing key succeeds.
    func remove(key: StorageKey, call: PluginCall) throws
    /// Keys starting with `prefix`, ascending, after `cursor`, at most `limit`.
    func list(prefix: String, cursor: String?, limit: Int, call: PluginCall) throws -> ObjectPage
}

/// `kinora.storage.localfile/1`: the object's file, so the host can serve it directly.
/// Objects must be replaced by `rename`, so an open file stays whole.
public protocol LocalFileStoragePlugin: StoragePlugin {
    func localPath(for key: StorageKey) throws -> String
}

/// `kinora.storage.presign/1`: URLs that reach the backend directly.
public protocol PresigningStoragePlugin: StoragePlugin {
    /// `method` is "GET" or "PUT".
    func presign(key: StorageKey, method: String, ttlSeconds: Int64) throws -> String
}

/// `kinora.moderation/1`: labels for text or media.
public protocol ModerationPlugin: KinoraPlugin {
    /// Returns `{"labels":[{"name":…,"score":…}]}`; throw ``PluginStatus/unsupported`` for
    /// media types the classifier does not handle.
    func classify(mediaType: String, media: PluginReader, call: PluginCall) throws -> String
}

/// One manifest file a packager produced.
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

/// `kinora.packager/1`: manifests over the host's CMAF segments.
public protocol PackagerPlugin: KinoraPlugin {
    /// Builds the manifests for a presentation (the JSON described in `kinora/plugin.h`).
    /// Returns the files and the name players start from. Throw ``PluginStatus/invalidArgument``
    /// naming the key for a malformed presentation.
    func package(presentation: String, call: PluginCall) throws -> (files: [ManifestFile], entry: String)
}
