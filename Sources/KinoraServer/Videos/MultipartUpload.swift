import Foundation
import Hummingbird
import KinoraCore
import KinoraStore
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// A `multipart/form-data` upload received into a temporary file: the `file` part streams to
/// disk (memory stays flat whatever the size) and small text fields are kept.
struct MultipartUpload {
    var fields: [String: String] = [:]
    var fileName: String?
    var filePath = ""
    var fileSize: Int64 = 0

    /// Bytes gathered before one write on the blocking pool.
    static let flushBytes = 4 << 20

    /// Reads the whole request. Throws: 400 (malformed), 413 (file over `limits`, or text
    /// fields past `fields`' count or bytes, refused as they arrive), 507 (disk full). The
    /// caller removes `filePath` when done with it.
    static func receive(_ request: Request, into folder: String, limits: UploadLimits, fields: MultipartFormFields) async throws -> MultipartUpload {
        guard let contentType = request.headers[.contentType], let boundary = boundary(of: contentType) else {
            throw Problem(.badUpload, detail: "send multipart/form-data with the video in a part named \"file\"", title: "Not a multipart upload")
        }
        var upload = MultipartUpload()
        let path = folder + "/upload-" + RandomID.make()
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let code = errno
            // No inode left is a full disk too.
            if code == ENOSPC || code == EDQUOT { throw IngestFailure.problem(POSIXError(POSIXErrorCode(rawValue: code) ?? .ENOSPC)) }
            throw Problem(.internalError, detail: "\(folder): \(String(cString: strerror(code)))", title: "Cannot store the upload")
        }
        var keep = false
        defer {
            close(fd)
            if !keep { unlink(path) }
        }
        var parser = MultipartStream(boundary: boundary)
        var fields = fields
        var pending: [UInt8] = []
        pending.reserveCapacity(Self.flushBytes)
        var sawFile = false
        var inFile = false
        let writer = ChunkWriter(fd: fd)

        func handle(_ event: MultipartStream.Event) throws {
            switch event {
            case .part(let headers):
                let disposition = dispositionParameters(headers["content-disposition"] ?? "")
                let name = disposition["name"]
                inFile = name == "file"
                if inFile {
                    guard !sawFile else {
                        throw Problem(.badUpload, detail: "send one part named \"file\" per upload", title: "More than one file")
                    }
                    sawFile = true
                    upload.fileName = disposition["filename"]
                } else {
                    // A part without a name is still read and held while it arrives: it counts.
                    try fields.begin(name ?? "")
                }
            case .body(let bytes):
                if inFile {
                    upload.fileSize += Int64(bytes.count)
                    try limits.checkReceived(upload.fileSize)
                    pending.append(contentsOf: bytes)
                } else {
                    try fields.append(bytes)
                }
            case .partEnd:
                if !inFile { fields.end() }
                inFile = false
            }
        }
        do {
            for try await buffer in request.body {
                try parser.feed(buffer, handle)
                if pending.count >= Self.flushBytes {
                    try await writer.write(pending)
                    pending.removeAll(keepingCapacity: true)
                }
            }
            try parser.finish()
            try await writer.write(pending)
        } catch let problem as Problem {
            throw problem
        } catch let refusal as UploadError {
            throw refusal
        } catch let error as ChunkWriter.DiskFull {
            throw UploadError.diskFull(title: "Not enough disk space", detail: error.description)
        } catch {
            throw Problem(.badUpload, detail: String(describing: error))
        }
        upload.fields = fields.values.filter { !$0.key.isEmpty }
        guard sawFile, upload.fileSize > 0 else {
            throw UploadError.empty(title: "No file uploaded", detail: "the part named \"file\" is missing or empty")
        }
        keep = true
        upload.filePath = path
        return upload
    }

    static func boundary(of contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() where part.lowercased().hasPrefix("boundary=") {
            var value = String(part.dropFirst("boundary=".count))
            if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty || value.count > 200 ? nil : value
        }
        return nil
    }

    /// `form-data; name="file"; filename="clip.mp4"` → ["name": "file", "filename": "clip.mp4"].
    static func dispositionParameters(_ header: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in header.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            var value = pair[1]
            if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            result[pair[0].lowercased()] = value
        }
        return result
    }
}

/// Writes chunks to a file on the upload file pool, never on a concurrency thread.
struct ChunkWriter: Sendable {
    let fd: Int32

    struct DiskFull: Error, CustomStringConvertible {
        let description: String
    }

    func write(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        let fd = self.fd
        try await BlockingPools.uploadFiles.runIfActive {
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress.map { $0 + offset }, bytes.count - offset) }
                if n < 0 {
                    if errno == EINTR { continue }
                    if errno == ENOSPC || errno == EDQUOT { throw DiskFull(description: "the disk filled up while receiving the upload") }
                    throw DiskFull(description: "writing the upload failed: \(String(cString: strerror(errno)))")
                }
                offset += n
            }
        }
    }
}
