import Foundation
import Hummingbird
import KinoraHost
import KinoraMediaContract
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Playlists and MPDs gzipped for clients that accept it (Apple's HLS authoring spec 10.1):
/// text that repeats itself, a third to a tenth of its size on the wire. Media segments are
/// never compressed (they are compressed already, and players range into them). The gzipped
/// form is another representation: its own ETag (the identity one with `-gz`), `Vary:
/// Accept-Encoding`, and it is kept in the stream cache beside the identity bytes, so a hot
/// playlist is compressed once a second at most, whatever the request rate.
extension StreamRoutes {
    /// The gzipped manifest at `key`, or nil when it cannot be read (the identity path then
    /// answers, or says 404) or does not shrink.
    func gzippedManifest(_ key: String, storage: StorageClient, requestID: String) async throws -> StreamCache.FileEntry? {
        let gzipKey = key + StreamCache.gzipSuffix
        if let hit = cache.file(gzipKey) { return hit }
        guard let (bytes, etag) = try await identityManifest(key, storage: storage, requestID: requestID),
            let packed = Gzip.compress(bytes), packed.count < bytes.count
        else { return nil }
        let body = ByteBuffer(bytes: packed)
        let gzipETag = etag.hasSuffix("\"") ? String(etag.dropLast()) + "-gz\"" : etag + "-gz"
        cache.store(gzipKey, body: body, etag: gzipETag)
        return cache.file(gzipKey) ?? StreamCache.FileEntry(body: body, etag: gzipETag, expires: .now)
    }

    /// The manifest's bytes and identity ETag, read as the identity path reads them (the
    /// same ETag for a local file: inode, size, modification time).
    func identityManifest(_ key: String, storage: StorageClient, requestID: String) async throws -> (bytes: [UInt8], etag: String)? {
        if let cached = cache.file(key) { return (Array(cached.body.readableBytesView), cached.etag) }
        if let path = try? storage.localPath(key) {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            var st = stat()
            // Manifests are a few KiB; anything large is not worth compressing per second.
            guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_size <= 4 << 20 else { return nil }
            var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
            var done = 0
            while done < bytes.count {
                let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return nil }
                done += n
            }
            let mtime = LocalFileETag.nanoseconds(seconds: st.st_mtim.tv_sec, nanoseconds: st.st_mtim.tv_nsec)
            return (bytes, LocalFileETag.make(inode: UInt64(st.st_ino), size: Int64(st.st_size), modifiedNanoseconds: mtime))
        }
        guard let info = try? await storage.stat(key, requestID: requestID), info.size <= 4 << 20, let etag = info.etag,
            let bytes = try? await storage.read(key, limit: 4 << 20)
        else { return nil }
        return (bytes, etag)
    }
}
