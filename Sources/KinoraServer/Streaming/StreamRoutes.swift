import Foundation
import Hummingbird
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraMediaContract
import KinoraStore
import NIOCore
import NIOPosix

/// `/streams/{video}/…`: manifests, init and media segments, captions and thumbnails, with
/// Range, ETag/If-None-Match, Cache-Control, HEAD and CORS. Objects of a storage plugin with the
/// local-file fast path are read straight from their files; others stream through the plugin.
final class StreamRoutes: Sendable {
    let database: KinoraDatabase
    let registry: PluginRegistry
    let config: KinoraConfig
    let cache: StreamCache

    init(database: KinoraDatabase, registry: PluginRegistry, config: KinoraConfig) {
        self.database = database
        self.registry = registry
        self.config = config
        let cache = StreamCache(maxTotalBytes: config.streamCacheBytes)
        self.cache = cache
        database.events.subscribe { event in
            if event.kind == ClusterEvent.video("").kind { cache.forget(videoID: event.subject) }
        }
        var headers = Self.corsHeaders(config.streamCORSOrigins, preflight: false)
        headers[.acceptRanges] = "bytes"
        baseHeaders = headers
    }

    /// CORS and Accept-Ranges, the same for every stream response: built once.
    private let baseHeaders: HTTPFields
    static let publicImmutable = "public, max-age=31536000, immutable"
    static let privateImmutable = "private, max-age=31536000, immutable"
    static let publicShort = "public, max-age=2"
    static let privateShort = "private, max-age=2"

    func register(on router: Router<KinoraRequestContext>) {
        // Public and unlisted videos: anyone with the link. Private and scheduled videos: their
        // owner and admins (VideoAccess), checked in serve.
        router.get("streams/:video/**") { request, context in
            try Access.anyone.check(context)
            return try await self.serve(request, context)
        }
        router.head("streams/:video/**") { request, context in
            try Access.anyone.check(context)
            return try await self.serve(request, context).createHeadResponse()
        }
        router.on("streams/:video/**", method: .options) { _, _ in
            Response(status: .noContent, headers: Self.corsHeaders(self.config.streamCORSOrigins, preflight: true))
        }
    }

    func serve(_ request: Request, _ context: KinoraRequestContext) async throws -> Response {
        let id = context.parameters.get("video") ?? ""
        guard let path = StreamPath(context.parameters.getCatchAll()) else { throw Problem.notFound("no such stream file") }
        let access =
            try id.count > 64
            ? nil
            : cache.video(id) {
                guard var video = try database.videos.find(id) else { return nil }
                // Only what access needs stays cached (up to 10,000 entries).
                video.mediaInfo = nil
                video.thumbnails = nil
                video.description = ""
                return StreamCache.VideoAccessInfo(video: video, published: try database.videos.isPublished(id))
            }
        // Private and not-yet-published videos: their owner and admins only, 404 for the rest.
        guard let access, VideoVisibility.canSee(access.video, context.viewer) else {
            throw VideoAccessError.notFound(id: id)
        }
        // Nothing is served before the first rendition is published.
        guard access.published else {
            throw Problem(.notFound, detail: "video \(id) is not published yet")
        }
        let storage = try MediaStorage(registry: registry, name: config.mediaStorage).require()
        let key = VideoObjects(id).key(path.relative)
        var headers = headers(for: path, video: access.video)
        // Segments of an instance set to redirect go straight to the bucket (or its CDN) by a
        // short-lived presigned URL; manifests stay here, their relative URIs need this origin.
        if path.isSegment, case .redirect(let lifetime) = storage.instance.playback,
            let url = try? storage.presign(key, ttlSeconds: lifetime)
        {
            var redirect = baseHeaders
            redirect[.acceptRanges] = nil
            redirect[.location] = url
            redirect[.cacheControl] = "no-store"
            return Response(status: .found, headers: redirect)
        }
        if path.isManifest {
            if Gzip.accepted(request.headers[.acceptEncoding]),
                let packed = try await gzippedManifest(key, storage: storage, requestID: context.requestID)
            {
                headers[.contentEncoding] = "gzip"
                return try respond(size: Int64(packed.body.readableBytes), etag: packed.etag, request: request, headers: headers) { range in
                    ResponseBody(byteBuffer: packed.body.getSlice(at: Int(range.lowerBound), length: Int(range.count)) ?? ByteBuffer())
                }
            }
        }
        // A hot file is answered from memory, before even asking the plugin where it lives.
        if let cached = cache.file(key) {
            return try respond(size: Int64(cached.body.readableBytes), etag: cached.etag, request: request, headers: headers) { range in
                ResponseBody(byteBuffer: cached.body.getSlice(at: Int(range.lowerBound), length: Int(range.count)) ?? ByteBuffer())
            }
        }
        if let file = try? storage.localPath(key) {
            return try await serveFile(file, key: key, request: request, context: context, headers: headers)
        }
        let info: StoredObject
        do {
            info = try await storage.stat(key, requestID: context.requestID)
        } catch let error as PluginCallError where error.status == .notFound {
            throw Problem.notFound("no such stream file")
        }
        return try respond(size: info.size, etag: info.etag, request: request, headers: headers) { range in
            ResponseBody { writer in
                for try await buffer in storage.stream(key, range: range) { try await writer.write(buffer) }
                try await writer.finish(nil)
            }
        }
    }

    /// What every answer for `path` of `video` carries: CORS, its type and how long it may be
    /// cached (privately, for a video not everyone may see), and for a manifest that its
    /// encoding follows Accept-Encoding.
    func headers(for path: StreamPath, video: VideoRecord) -> HTTPFields {
        var headers = baseHeaders
        headers[.contentType] = path.mediaType
        let isPrivate = VideoVisibility.isRestricted(video)
        headers[.cacheControl] =
            path.isImmutable
            ? (isPrivate ? Self.privateImmutable : Self.publicImmutable)
            : (isPrivate ? Self.privateShort : Self.publicShort)
        if path.isManifest { headers[.vary] = "Accept-Encoding" }
        return headers
    }

    /// Whether an If-None-Match header names `etag` (or is `*`).
    static func matches(ifNoneMatch header: String?, etag: String) -> Bool {
        guard let header else { return false }
        return header == "*" || header.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag })
    }

    /// Files from this size on go from the page cache by sendfile (``FileBody``) instead of
    /// being kept in memory: media segments, a few hundred KiB to a few MiB each, which a
    /// copy per request would cost more than the open. Manifests and init segments, a few KiB,
    /// are cheaper answered from memory than opened per request.
    static let sendfileFromBytes: Int64 = 64 << 10

    /// Serves a local file: opened once, so a concurrent atomic replace cannot mix versions.
    func serveFile(_ path: String, key: String, request: Request, context: KinoraRequestContext, headers: HTTPFields) async throws -> Response {
        guard let file = LocalStreamFile(path: path) else { throw Problem.notFound("no such stream file") }
        let handle = file.handle, size = file.size, etag = file.etag
        let sendfile = size >= Self.sendfileFromBytes
        if !sendfile && size <= Int64(cache.maxFileBytes) {
            // Small files (manifests, init segments) are read whole and kept a second: a hot
            // one is read once a second, whatever the request rate.
            defer { try? handle.close() }
            let body =
                size == 0
                ? ByteBuffer()
                : try await FileBody.fileIO
                    .read(fileHandle: handle, fromOffset: 0, byteCount: Int(size), allocator: ByteBufferAllocator())
            cache.store(key, body: body, etag: etag)
            return try respond(size: Int64(body.readableBytes), etag: etag, request: request, headers: headers) { range in
                ResponseBody(byteBuffer: body.getSlice(at: Int(range.lowerBound), length: Int(range.count)) ?? ByteBuffer())
            }
        }
        // HEAD drops the body unrun, so it must not own the file.
        if request.method == .head {
            try? handle.close()
            return try respond(size: size, etag: etag, request: request, headers: headers) { _ in ResponseBody() }
        }
        do {
            let response = try respond(size: size, etag: etag, request: request, headers: headers) { range in
                FileBody.make(handle, range: range, channel: context.channel)
            }
            if response.status != .ok && response.status != .partialContent { try? handle.close() }
            return response
        } catch {
            try? handle.close()
            throw error
        }
    }

    /// Conditional and ranged answers shared by both paths.
    func respond(
        size: Int64, etag: String?, request: Request, headers: HTTPFields,
        body: (ClosedRange<Int64>) -> ResponseBody
    ) throws -> Response {
        var headers = headers
        if let etag {
            headers[.eTag] = etag
            if Self.matches(ifNoneMatch: request.headers[.ifNoneMatch], etag: etag) {
                return Response(status: .notModified, headers: headers)
            }
        }
        switch ByteRange(header: request.headers[.range], size: size) {
        case .unsatisfiable:
            headers[.contentRange] = "bytes */\(size)"
            throw RangeNotSatisfiable(headers: headers)
        case .partial(let range):
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            headers[.contentLength] = String(range.count)
            return Response(status: .partialContent, headers: headers, body: body(range))
        case .whole:
            headers[.contentLength] = String(size)
            return size == 0 ? Response(status: .ok, headers: headers) : Response(status: .ok, headers: headers, body: body(0...(size - 1)))
        }
    }

    static func corsHeaders(_ origins: [String], preflight: Bool) -> HTTPFields {
        var headers = HTTPFields()
        guard !origins.isEmpty else { return headers }
        headers[.accessControlAllowOrigin] = origins.joined(separator: " ")
        headers[.accessControlExposeHeaders] = "Content-Length, Content-Range, ETag, Accept-Ranges"
        if preflight {
            headers[.accessControlAllowMethods] = "GET, HEAD, OPTIONS"
            headers[.accessControlAllowHeaders] = "Range, If-None-Match"
            headers[.accessControlMaxAge] = "86400"
        }
        return headers
    }
}

/// 416 with the Content-Range a client needs to retry.
struct RangeNotSatisfiable: HTTPResponseError {
    let headers: HTTPFields
    var status: HTTPResponse.Status { .rangeNotSatisfiable }
    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try Problem(
            .rangeNotSatisfiable,
            detail: headers[.contentRange].map { "object is \($0.dropFirst("bytes */".count)) bytes" }
        )
        .response(from: request, context: context)
        for field in headers where field.name != .contentType && field.name != .contentLength { response.headers[field.name] = field.value }
        return response
    }
}
