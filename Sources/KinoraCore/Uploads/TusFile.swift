import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// The partial file of one tus upload, opened for one PATCH: positioned writes, truncation back
/// to a known offset, fsync. Every system call runs on the upload file pool.
public struct TusFile: Sendable {
    public let fd: Int32
    public let path: String

    /// A system call on the file failed; `diskFull` when for want of space (ENOSPC, EDQUOT).
    public struct WriteFailed: Error, CustomStringConvertible {
        public let diskFull: Bool
        public let description: String
    }

    /// Opens (creating if needed) the file and cuts it to `offset`: bytes past the durable
    /// offset (from a PATCH cut short by a crash) are never trusted.
    public static func open(_ path: String, at offset: Int64) async throws -> TusFile {
        try await BlockingPools.uploadFiles.runIfActive {
            let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw WriteFailed(diskFull: false, description: "\(path): \(String(cString: strerror(errno)))") }
            guard ftruncate(fd, off_t(offset)) == 0 else {
                let message = String(cString: strerror(errno))
                Glibc.close(fd)
                throw WriteFailed(diskFull: false, description: "\(path): \(message)")
            }
            return TusFile(fd: fd, path: path)
        }
    }

    /// Writes `bytes` at `offset`.
    public func write(_ bytes: [UInt8], at offset: Int64) async throws {
        guard !bytes.isEmpty else { return }
        let fd = self.fd
        try await BlockingPools.uploadFiles.runIfActive {
            var done = 0
            while done < bytes.count {
                let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done)) }
                if n < 0 {
                    if errno == EINTR { continue }
                    let full = errno == ENOSPC || errno == EDQUOT
                    throw WriteFailed(
                        diskFull: full,
                        description: full
                            ? "the disk filled up while receiving the upload"
                            : "writing the upload failed: \(String(cString: strerror(errno)))")
                }
                done += n
            }
        }
    }

    /// Flushes the data to the disk, so the offset recorded next is true after a power cut.
    public func sync() async throws {
        let fd = self.fd
        try await BlockingPools.uploadFiles.runIfActive {
            guard fdatasync(fd) == 0 else {
                throw WriteFailed(diskFull: errno == ENOSPC, description: "syncing the upload failed: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Cuts the file back to `offset` (a refused PATCH leaves nothing behind).
    public func truncate(to offset: Int64) async {
        let fd = self.fd
        _ = try? await BlockingPools.uploadFiles.runIfActive { ftruncate(fd, off_t(offset)) }
    }

    /// Closes the file; the upload keeps it for the next PATCH.
    public func close() {
        Glibc.close(fd)
    }

    /// Deletes a partial file (upload finished, terminated or expired).
    public static func remove(_ path: String) {
        unlink(path)
    }
}
