import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// A streaming `multipart/form-data` (RFC 7578 / RFC 2046) reader: fed the body as it
/// arrives, it reports each part's headers and its bytes as slices of the buffers it was
/// given, never copying a file's body. Finding the delimiter is a memchr for its first byte
/// and a compare: uploads go at disk speed, not at a byte-at-a-time state machine's.
public struct MultipartStream {
    public enum Event {
        /// A part begins; header names are lower-cased.
        case part([String: String])
        /// Some of the current part's bytes, valid only during the call.
        case body(UnsafeRawBufferPointer)
        /// The current part ended.
        case partEnd
    }

    public struct Malformed: Error, CustomStringConvertible {
        public let description: String
    }

    private enum State {
        case preamble, afterBoundary, headers, body, done
    }

    /// `CRLF--boundary`: what ends every part (and, with a virtual CRLF, the preamble).
    private let delimiter: [UInt8]
    private var state = State.preamble
    /// Bytes of the previous buffer that could not be decided yet (a partial delimiter or
    /// header block); small.
    private var carry: [UInt8]

    static let maxHeaderBytes = 16 * 1024

    public init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        // The first boundary may open the body without a CRLF before it.
        carry = [13, 10]
    }

    public var isComplete: Bool { state == .done }

    public mutating func feed(_ buffer: ByteBuffer, _ emit: (Event) throws -> Void) throws {
        guard state != .done else { return }
        if carry.isEmpty {
            try buffer.withUnsafeReadableBytes { try process($0, emit) }
        } else {
            var joined = carry
            carry = []
            joined.append(contentsOf: buffer.readableBytesView)
            try joined.withUnsafeBytes { try process($0, emit) }
        }
    }

    /// Call at the end of the body: a part cut short is an error, not a smaller file.
    public func finish() throws {
        guard state == .done else { throw Malformed(description: "the body ended before the closing boundary") }
    }

    private mutating func process(_ bytes: UnsafeRawBufferPointer, _ emit: (Event) throws -> Void) throws {
        var index = 0
        let count = bytes.count
        while index < count {
            switch state {
            case .done:
                return  // the epilogue is ignored
            case .preamble, .body:
                let inBody = state == .body
                switch findDelimiter(in: bytes, from: index) {
                case .found(let at):
                    if inBody {
                        if at > index { try emit(.body(UnsafeRawBufferPointer(rebasing: bytes[index..<at]))) }
                        try emit(.partEnd)
                    }
                    index = at + delimiter.count
                    state = .afterBoundary
                case .partial(let at):
                    if inBody, at > index { try emit(.body(UnsafeRawBufferPointer(rebasing: bytes[index..<at]))) }
                    carry = Array(bytes[at..<count])
                    return
                case .none:
                    if inBody { try emit(.body(UnsafeRawBufferPointer(rebasing: bytes[index..<count]))) }
                    return
                }
            case .afterBoundary:
                // `--` closes the body; otherwise optional whitespace, then CRLF and headers.
                var at = index
                while at < count, bytes[at] == 0x20 || bytes[at] == 0x09 { at += 1 }
                guard count - at >= 2 else {
                    carry = Array(bytes[index..<count])
                    return
                }
                if at == index, bytes[at] == 0x2D, bytes[at + 1] == 0x2D {
                    state = .done
                    return
                }
                guard bytes[at] == 13, bytes[at + 1] == 10 else {
                    throw Malformed(description: "a boundary is followed by neither CRLF nor --")
                }
                index = at + 2
                state = .headers
            case .headers:
                guard let end = headerEnd(in: bytes, from: index) else {
                    guard count - index <= Self.maxHeaderBytes else {
                        throw Malformed(description: "a part's headers exceed \(Self.maxHeaderBytes) bytes")
                    }
                    carry = Array(bytes[index..<count])
                    return
                }
                guard end - index <= Self.maxHeaderBytes else {
                    throw Malformed(description: "a part's headers exceed \(Self.maxHeaderBytes) bytes")
                }
                try emit(.part(try Self.parseHeaders(UnsafeRawBufferPointer(rebasing: bytes[index..<end]))))
                index = end
                state = .body
            }
        }
    }

    private enum Search {
        case found(Int), partial(Int), none
    }

    /// The delimiter's position, or where a prefix of it starts at the very end of `bytes`.
    private func findDelimiter(in bytes: UnsafeRawBufferPointer, from start: Int) -> Search {
        guard let base = bytes.baseAddress else { return .none }
        let first = Int32(delimiter[0])
        var at = start
        while at < bytes.count {
            guard let hit = memchr(base + at, first, bytes.count - at) else { return .none }
            let position = base.distance(to: UnsafeRawPointer(hit))
            let available = min(delimiter.count, bytes.count - position)
            var matches = true
            for offset in 1..<available where bytes[position + offset] != delimiter[offset] {
                matches = false
                break
            }
            if matches { return available == delimiter.count ? .found(position) : .partial(position) }
            at = position + 1
        }
        return .none
    }

    /// The index just past the blank line ending a header block that starts at `start`.
    private func headerEnd(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        if bytes.count - start >= 2, bytes[start] == 13, bytes[start + 1] == 10 { return start + 2 }  // no headers
        var at = start
        while at + 3 < bytes.count {
            if bytes[at] == 13, bytes[at + 1] == 10, bytes[at + 2] == 13, bytes[at + 3] == 10 { return at + 4 }
            at += 1
        }
        return nil
    }

    static func parseHeaders(_ block: UnsafeRawBufferPointer) throws -> [String: String] {
        var headers: [String: String] = [:]
        let text = String(decoding: block, as: UTF8.self)
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { throw Malformed(description: "a part header has no colon: \(line.prefix(80))") }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return headers
    }
}
