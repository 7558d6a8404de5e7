import Crypto
import NIOCore

/// The tus checksum extension's digests, computed incrementally over a PATCH body as it streams.
public struct TusChecksum {
    public enum Algorithm: String, CaseIterable, Sendable {
        case sha1, md5, sha256

        public var digestBytes: Int {
            switch self {
            case .sha1: 20
            case .md5: 16
            case .sha256: 32
            }
        }

        /// `Tus-Checksum-Algorithm`: what the server accepts.
        public static let list = allCases.map(\.rawValue).joined(separator: ",")
    }

    private enum State {
        case sha1(Insecure.SHA1)
        case md5(Insecure.MD5)
        case sha256(SHA256)
    }

    public let algorithm: Algorithm
    private var state: State

    public init(_ algorithm: Algorithm) {
        self.algorithm = algorithm
        switch algorithm {
        case .sha1: state = .sha1(Insecure.SHA1())
        case .md5: state = .md5(Insecure.MD5())
        case .sha256: state = .sha256(SHA256())
        }
    }

    public mutating func update(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes in
            switch state {
            case .sha1(var hash):
                hash.update(bufferPointer: bytes)
                state = .sha1(hash)
            case .md5(var hash):
                hash.update(bufferPointer: bytes)
                state = .md5(hash)
            case .sha256(var hash):
                hash.update(bufferPointer: bytes)
                state = .sha256(hash)
            }
        }
    }

    public func finalize() -> [UInt8] {
        switch state {
        case .sha1(let hash): Array(hash.finalize())
        case .md5(let hash): Array(hash.finalize())
        case .sha256(let hash): Array(hash.finalize())
        }
    }
}
