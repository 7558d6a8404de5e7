import Hummingbird
import KinoraCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// A byte range of an open file as a response body, sent with sendfile(2) where it can be:
/// the kernel hands page-cache pages to the socket, with no copy through the daemon's memory,
/// which is what nginx's `sendfile on` does and what a copy per megabyte sent would cost us
/// against it. Hummingbird's body writer only takes ByteBuffers, so the file goes as a
/// FileRegion written from the HTTP/1 encoder's place in the pipeline straight to the socket.
/// That is what the encoder itself does with body bytes of a response framed by Content-Length
/// (no chunk framing to add); Hummingbird has written the head before it runs the body, through
/// the same event loop, so the order on the wire holds, and it writes the end after. Where the
/// pipeline has no such encoder the range is read through the file-I/O pool in 1 MiB chunks.
enum FileBody {
    /// Stream reads have a pool of their own, so they never queue behind bcrypt or uploads.
    static var fileIO: NonBlockingFileIO { BlockingPools.streamFileIO }

    /// Takes ownership of `handle`: it is closed once the body is written or has failed.
    static func make(_ handle: NIOFileHandle, range: ClosedRange<Int64>, channel: any Channel) -> ResponseBody {
        ResponseBody(contentLength: Int(range.count)) { writer in
            defer { try? handle.close() }
            if try await sendfile(handle, range: range, channel: channel) {
                try await writer.finish(nil)
                return
            }
            var offset = range.lowerBound
            while offset <= range.upperBound {
                let length = Int(min(Int64(1 << 20), range.upperBound - offset + 1))
                let buffer = try await fileIO.read(fileHandle: handle, fromOffset: offset, byteCount: length, allocator: ByteBufferAllocator())
                guard buffer.readableBytes > 0 else { break }
                offset += Int64(buffer.readableBytes)
                try await writer.write(buffer)
            }
            try await writer.finish(nil)
        }
    }

    /// Writes the range past the HTTP/1 encoder and waits until the socket took all of it;
    /// false (nothing written) when the pipeline has no HTTP/1 encoder.
    static func sendfile(_ handle: NIOFileHandle, range: ClosedRange<Int64>, channel: any Channel) async throws -> Bool {
        let region = FileRegion(fileHandle: handle, readerIndex: Int(range.lowerBound), endIndex: Int(range.upperBound) + 1)
        let loop = channel.eventLoop
        return try await loop.flatSubmit {
            guard let encoder = try? channel.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self) else {
                return loop.makeSucceededFuture(false)
            }
            let promise = loop.makePromise(of: Void.self)
            encoder.writeAndFlush(NIOAny(IOData.fileRegion(region)), promise: promise)
            return promise.futureResult.map { true }
        }.get()
    }
}
