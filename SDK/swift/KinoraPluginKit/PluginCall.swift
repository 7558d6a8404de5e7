import KinoraPluginABI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The context of one host call: correlation id, deadline and cancellation. It exists so a
/// long operation can notice that the host gave up on it and stop early.
///
/// ```swift
/// while true {
///     try call.checkCancellation()
///     let n = try body.read(into: chunk)
///     if n == 0 { break }
///     // store the chunk…
/// }
/// ```
public struct PluginCall: @unchecked Sendable {
    // Borrowed for the duration of the call only; the kit never lets it escape the operation.
    let raw: UnsafePointer<kn_call_t>?

    init(_ raw: UnsafePointer<kn_call_t>?) { self.raw = raw }

    /// The request id to put in log lines, if the host gave one.
    public var requestID: String? { raw?.pointee.request_id.map { String(cString: $0) } }

    /// Deadline in nanoseconds since the Unix epoch (0 = none).
    public var deadlineUnixNanoseconds: Int64 { raw?.pointee.deadline_unix_ns ?? 0 }

    /// True once the host cancelled the call or its deadline passed: finish promptly.
    public var isCancelled: Bool { wasCancelledByHost || deadlinePassed }

    var wasCancelledByHost: Bool {
        guard let raw, let check = raw.pointee.is_cancelled else { return false }
        return check(raw)
    }

    /// True once the call's deadline (if any) has passed.
    public var deadlinePassed: Bool {
        let deadline = raw?.pointee.deadline_unix_ns ?? 0
        guard deadline > 0 else { return false }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec) > deadline
    }

    /// Throws ``PluginStatus/cancelled`` when the host cancelled the call and
    /// ``PluginStatus/timeout`` when its deadline passed; call it in long loops.
    ///
    /// - Throws: ``PluginError`` with ``PluginStatus/cancelled`` or ``PluginStatus/timeout``.
    public func checkCancellation() throws {
        if wasCancelledByHost { throw PluginError(.cancelled, "the call was cancelled") }
        if deadlinePassed { throw PluginError(.timeout, "the call's deadline passed") }
    }
}

/// Bytes flowing into the plugin (an upload to store, media to classify). The host streams
/// them, so a plugin never needs the whole body in memory unless it asks for it.
///
/// ```swift
/// if let fd = body.fileDescriptor {
///     // copy_file_range from fd instead of reading through the host
/// }
/// let bytes = try body.readAll(limit: 16 << 20)
/// ```
public struct PluginReader: @unchecked Sendable {
    // Borrowed for the duration of the operation, like every ABI argument.
    let raw: kn_reader_t

    init(_ raw: kn_reader_t) { self.raw = raw }

    /// Total size when the host knows it.
    public var sizeHint: Int64? { raw.size_hint >= 0 ? raw.size_hint : nil }

    /// A readable regular file with the same bytes, when the host has one (fast path for
    /// `copy_file_range`/`sendfile`). Owned by the host: never close it.
    public var fileDescriptor: Int32? { raw.fd >= 0 ? raw.fd : nil }

    /// Reads up to `buffer.count` bytes; returns 0 at the end of the stream.
    ///
    /// - Parameter buffer: Where the bytes go; its size caps one read.
    /// - Returns: The number of bytes read, 0 at the end of the stream.
    /// - Throws: ``PluginError`` with the host's status when the stream failed.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let read = raw.read, let base = buffer.baseAddress else {
            throw PluginError(.invalidArgument, "the host passed a reader without a read function")
        }
        let n = read(raw.ctx, base.assumingMemoryBound(to: UInt8.self), buffer.count)
        if n < 0 {
            throw PluginError(PluginStatus(rawValue: Int32(clamping: n)), "reading the input stream failed")
        }
        return Int(n)
    }

    /// Reads the whole stream, refusing more than `limit` bytes.
    ///
    /// - Parameter limit: The most bytes the plugin is willing to hold in memory.
    /// - Returns: Every byte of the stream.
    /// - Throws: ``PluginStatus/invalidArgument`` past `limit`, or the status of a failed read.
    public func readAll(limit: Int) throws -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try read(into: $0) }
            if n == 0 { return result }
            if result.count + n > limit {
                throw PluginError(.invalidArgument, "input is larger than \(limit) bytes")
            }
            result.append(contentsOf: chunk[0..<n])
        }
    }
}

/// Bytes flowing out of the plugin (a download). `write` blocks while the consumer is slow,
/// which is how a slow client holds back a storage read instead of filling memory.
///
/// ```swift
/// let n = pread(fd, chunk.baseAddress, chunk.count, off_t(position))
/// try sink.write(UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
/// ```
public struct PluginWriter: @unchecked Sendable {
    // Borrowed for the duration of the operation, like every ABI argument.
    let raw: kn_writer_t

    init(_ raw: kn_writer_t) { self.raw = raw }

    /// Hands all of `bytes` to the host; throws ``PluginStatus/cancelled`` when it went away.
    ///
    /// - Parameter bytes: The bytes to send; an empty buffer is a no-op.
    /// - Throws: ``PluginError`` with the host's status when the consumer stopped reading.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        guard let write = raw.write, let base = bytes.baseAddress else {
            throw PluginError(.invalidArgument, "the host passed a writer without a write function")
        }
        let status = write(raw.ctx, base.assumingMemoryBound(to: UInt8.self), bytes.count)
        if status != KN_OK {
            throw PluginError(PluginStatus(rawValue: status), "the consumer stopped reading")
        }
    }
}
