import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A channel to or from a child process whose two ends are close-on-exec from the moment they
/// exist, so that only the child it is handed to ever holds them.
///
/// Why not Foundation's `Pipe`: its ends stay inheritable, and Foundation closes a new child's
/// other descriptors from a list it makes before the spawn. A child started by another thread
/// at that moment (a media worker, a daemon, a database server) inherits the write end and
/// keeps it open for its whole life, so `readDataToEndOfFile()` does not return when the child
/// it was meant for exits, but when that other one does. A test run hung for good that way.
/// A socket pair because it is made close-on-exec atomically (`pipe2` is not visible to Swift);
/// a child reads and writes it as it would a pipe.
///
/// ```swift
/// let output = try PrivatePipe()
/// process.standardOutput = output.fileHandleForWriting
/// try process.run()
/// try output.fileHandleForWriting.close()   // the child's end: only the child holds it now
/// let data = output.fileHandleForReading.readDataToEndOfFile()
/// ```
public final class PrivatePipe: Sendable {
    public let fileHandleForReading: FileHandle
    public let fileHandleForWriting: FileHandle

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init() throws {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw Failure(description: "cannot make a pipe for a child process: \(String(cString: strerror(errno)))")
        }
        // Each end only one way, as a pipe's: a reader's EOF then needs no shutdown of its own.
        shutdown(fds[0], Int32(SHUT_WR))
        shutdown(fds[1], Int32(SHUT_RD))
        fileHandleForReading = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true)
        fileHandleForWriting = FileHandle(fileDescriptor: fds[1], closeOnDealloc: true)
    }
}
