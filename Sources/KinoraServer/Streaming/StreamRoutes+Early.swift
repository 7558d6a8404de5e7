import HTTPTypes
import KinoraCore
import KinoraHost
import KinoraMediaContract
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// A stream answer made without waiting: status, headers and what follows them.
struct EarlyAnswer {
    enum Body {
        /// Bytes from the stream cache.
        case bytes(ByteBuffer)
        /// A whole open file, for sendfile; the answer owns the handle.
        case file(NIOFileHandle, size: Int64)
        /// HEAD and 304.
        case none
    }

    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: Body
}

extension StreamRoutes {
    /// The answer to a whole GET (or HEAD) of `path` of `videoID` by `viewer` when it needs
    /// nothing that can wait: who may see the video is in the stream cache, and the file is a
    /// manifest or init segment in that cache or a media segment in a local file. Nil
    /// otherwise, and whenever the answer would be an error, so that ``serve(_:_:)`` gives it
    /// with its problem document.
    ///
    /// It reads no database row and never awaits, so it can run on an event loop
    /// (``StreamFastPath``); what it does of I/O is what nginx does on its own loop, an open
    /// and an fstat of a local file, the file itself going by sendfile as ``serve(_:_:)``'s
    /// does. The headers are those ``serve(_:_:)`` gives the same request (both build them
    /// with ``headers(for:video:)``); the edge's own (request id, date, server) are the
    /// caller's to add.
    func earlyAnswer(videoID: Substring, path: StreamPath, viewer: Viewer, head: Bool, acceptEncoding: String?, ifNoneMatch: String?)
        -> EarlyAnswer?
    {
        guard path.isManifest || path.isSegment, videoID.utf8.count <= 64, let access = cache.cachedVideo(String(videoID)),
            access.published, VideoVisibility.canSee(access.video, viewer)
        else { return nil }
        let key = VideoObjects(String(videoID)).key(path.relative)
        var headers = headers(for: path, video: access.video)
        let cached: StreamCache.FileEntry?
        if path.isManifest {
            let gzip = Gzip.accepted(acceptEncoding)
            // A client that accepts gzip is answered with it or by the router, which knows
            // when the identity bytes are the right answer (a manifest gzip does not shrink).
            cached = cache.file(gzip ? key + StreamCache.gzipSuffix : key)
            if gzip { headers[.contentEncoding] = "gzip" }
        } else {
            // Segments of an instance set to redirect, or of a plugin without local files,
            // are the router's.
            guard let storage = MediaStorage(registry: registry, name: config.mediaStorage).client, case .proxy = storage.instance.playback
            else { return nil }
            cached = cache.file(key)
            if cached == nil {
                // Small files are the router's to read and cache; large ones go from here.
                guard let file = (try? storage.localPath(key)).flatMap({ $0 }), let opened = LocalStreamFile(path: file) else { return nil }
                guard opened.size >= Self.sendfileFromBytes else {
                    opened.close()
                    return nil
                }
                return answer(headers: headers, etag: opened.etag, size: opened.size, head: head, ifNoneMatch: ifNoneMatch) {
                    .file(opened.handle, size: opened.size)
                } unused: {
                    opened.close()
                }
            }
        }
        guard let cached else { return nil }
        return answer(headers: headers, etag: cached.etag, size: Int64(cached.body.readableBytes), head: head, ifNoneMatch: ifNoneMatch) {
            .bytes(cached.body)
        } unused: {}
    }

    /// 304 when `ifNoneMatch` names `etag`, else 200 with `body` (nothing for HEAD); `unused`
    /// runs when the body is not sent.
    private func answer(
        headers: HTTPFields, etag: String, size: Int64, head: Bool, ifNoneMatch: String?, body: () -> EarlyAnswer.Body,
        unused: () -> Void
    ) -> EarlyAnswer {
        var headers = headers
        headers[.eTag] = etag
        if Self.matches(ifNoneMatch: ifNoneMatch, etag: etag) {
            unused()
            // Hummingbird gives a body-less answer a zero length; the router's 304 has one.
            headers[.contentLength] = "0"
            return EarlyAnswer(status: .notModified, headers: headers, body: .none)
        }
        headers[.contentLength] = String(size)
        if head || size == 0 {
            unused()
            return EarlyAnswer(status: .ok, headers: headers, body: .none)
        }
        return EarlyAnswer(status: .ok, headers: headers, body: body())
    }
}

/// A local stream file opened once (so a concurrent atomic replace cannot mix versions),
/// with what its answers need: size and ETag (inode, size, modification time).
struct LocalStreamFile {
    let handle: NIOFileHandle
    let size: Int64
    let etag: String

    /// Nil when it cannot be opened or is not a regular file.
    init?(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            Glibc.close(fd)
            return nil
        }
        handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: fd)
        size = Int64(st.st_size)
        let mtime = LocalFileETag.nanoseconds(seconds: st.st_mtim.tv_sec, nanoseconds: st.st_mtim.tv_nsec)
        etag = LocalFileETag.make(inode: UInt64(st.st_ino), size: size, modifiedNanoseconds: mtime)
    }

    func close() { try? handle.close() }
}
