import Crypto
import Foundation
import Hummingbird

/// Files of share/web/static under `/static/…`: read once, kept in memory with a content
/// ETag (they are small and change only with an upgrade), answered with `304` to a matching
/// `If-None-Match`. Text files are also kept gzipped, sent to browsers that accept it: the
/// watch page's scripts and styles shrink to about a third on the wire. Only plain names are
/// accepted, so no path can leave the folder.
actor StaticFiles {
    struct File: Sendable {
        var body: ByteBuffer
        var etag: String
        var contentType: String
        /// The gzipped body and its own ETag (another representation), when it is smaller.
        var gzipped: (body: ByteBuffer, etag: String)?
    }

    let directory: String?
    private var files: [String: File] = [:]

    init(shareDir: String?) {
        directory = shareDir.map { $0 + "/web/static" }
    }

    static let types: [String: String] = [
        "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "mjs": "text/javascript; charset=utf-8",
        "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon", "json": "application/json",
        "woff2": "font/woff2", "txt": "text/plain; charset=utf-8", "webp": "image/webp",
        "webmanifest": "application/manifest+json", "html": "text/html; charset=utf-8",
    ]
    /// Types worth compressing: text. Images and fonts are compressed already.
    static let compressible: Set<String> = ["css", "js", "mjs", "svg", "json", "txt", "webmanifest", "html"]
    /// The web app's service worker. It lives here with the files it keeps, yet controls the
    /// whole site (scope `/`), which browsers allow only when its response says so.
    static let serviceWorker = "sw.js"

    /// `path` as the route's catch-all: segments of letters, digits, `-`, `_` and `.`, none
    /// starting with a dot (no `..`, no hidden files), with a known extension.
    static func validated(_ path: String) -> (path: String, type: String)? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.isEmpty, segments.count <= 8, path.count <= 200 else { return nil }
        for segment in segments {
            guard let first = segment.first, first != ".",
                segment.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") })
            else { return nil }
        }
        guard let ext = segments.last?.split(separator: ".").last.map({ String($0).lowercased() }), let type = types[ext],
            segments.last?.contains(".") == true
        else { return nil }
        return (path, type)
    }

    func file(_ rawPath: String) throws -> File {
        guard let (path, type) = Self.validated(rawPath) else { throw Problem.notFound("no static file \(rawPath.prefix(64))") }
        if let cached = files[path] { return cached }
        guard let directory, let data = FileManager.default.contents(atPath: directory + "/" + path) else {
            throw Problem.notFound("no static file \(path)")
        }
        let digest = SHA256.hash(data: data).prefix(12).map { String(format: "%02x", $0) }.joined()
        var file = File(body: ByteBuffer(data: data), etag: "\"\(digest)\"", contentType: type)
        if let ext = path.split(separator: ".").last.map({ String($0).lowercased() }), Self.compressible.contains(ext),
            let packed = Gzip.compress(Array(data)), packed.count < data.count
        {
            file.gzipped = (ByteBuffer(bytes: packed), "\"\(digest)-gz\"")
        }
        files[path] = file
        return file
    }

    nonisolated func response(_ request: Request, path: String) async throws -> Response {
        let file = try await file(path)
        var headers = WebHeaders.security
        var body = file.body, etag = file.etag
        if let gzipped = file.gzipped {
            headers[.vary] = "Accept-Encoding"
            if Gzip.accepted(request.headers[.acceptEncoding]) {
                (body, etag) = gzipped
                headers[.contentEncoding] = "gzip"
            }
        }
        headers[.eTag] = etag
        // Revalidated after an hour: an upgrade changes the files under the same names.
        headers[.cacheControl] = "public, max-age=3600"
        if path == Self.serviceWorker {
            headers[.serviceWorkerAllowed] = "/"
            // Browsers check it at every visit anyway; no-cache says so to proxies too.
            headers[.cacheControl] = "no-cache"
        }
        if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag })
        {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = file.contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}
