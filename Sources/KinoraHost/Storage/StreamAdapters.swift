import KinoraPluginABI
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// A `kn_reader_t` over an open file; also offers the fd so the plugin can copy in-kernel.
/// It reads a duplicate of the caller's descriptor, closed when the reader goes (after the
/// plugin's completion): a plugin still reading after shutdown gave up on its call never reads
/// a descriptor number the daemon has closed and reused.
final class FileReader: Sendable {
    let fd: Int32
    init(fd: Int32) { self.fd = fcntl(fd, F_DUPFD_CLOEXEC, 0) }
    deinit { if fd >= 0 { close(fd) } }

    func reader(sizeHint: Int64) -> kn_reader_t {
        kn_reader_t(
            ctx: UnsafeMutableRawPointer(bitPattern: Int(fd) + 1),
            read: { ctx, buffer, cap in
                let fd = Int32(Int(bitPattern: ctx) - 1)
                while true {
                    let n = Glibc.read(fd, buffer, cap)
                    if n >= 0 { return Int64(n) }
                    if errno != EINTR { return Int64(KN_E_IO) }
                }
            }, size_hint: sizeHint, fd: fd)
    }
}

/// A `kn_writer_t` that hands each chunk to a Swift closure on the plugin's worker thread.
final class SinkWriter: Sendable {
    let sink: @Sendable (UnsafeRawBufferPointer) throws -> Void
    init(_ sink: @escaping @Sendable (UnsafeRawBufferPointer) throws -> Void) { self.sink = sink }

    func writer() -> kn_writer_t {
        kn_writer_t(
            ctx: Unmanaged.passUnretained(self).toOpaque(),
            write: { ctx, buffer, length in
                guard let ctx else { return KN_E_INVALID_ARGUMENT }
                let writer = Unmanaged<SinkWriter>.fromOpaque(ctx).takeUnretainedValue()
                do {
                    try writer.sink(UnsafeRawBufferPointer(start: buffer, count: length))
                    return KN_OK
                } catch {
                    return KN_E_CANCELLED
                }
            })
    }
}

/// Collects a small object, refusing to grow past a limit.
final class ByteCollector: Sendable {
    private let storage = NIOLockedValueBox<[UInt8]>([])
    let limit: Int
    init(limit: Int) { self.limit = limit }

    struct TooLarge: Error {}

    func append(_ chunk: UnsafeRawBufferPointer) throws {
        try storage.withLockedValue { bytes in
            guard bytes.count + chunk.count <= limit else { throw TooLarge() }
            bytes.append(contentsOf: chunk)
        }
    }

    var bytes: [UInt8] { storage.withLockedValue { $0 } }
}

/// An async sequence of one chunk.
struct SingleChunk: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let bytes: [UInt8]

    struct AsyncIterator: AsyncIteratorProtocol {
        var bytes: [UInt8]?
        mutating func next() async -> [UInt8]? {
            defer { bytes = nil }
            return bytes
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes) }
}
