#if canImport(Glibc)
import Glibc
import KinoraCore
#endif

/// The admin token written on first start to `<data-dir>/admin-token` (mode 0600), accepted
/// as `Authorization: Bearer` until an admin account exists (see ``BootstrapRetirement``).
public struct BootstrapToken: Sendable {
    public let path: String
    let value: [UInt8]
    /// Nil: never retires (a token made outside the daemon's start, as in tests).
    var retirement: BootstrapRetirement? = nil

    /// Reads the token, creating it (atomically, 0600) when absent.
    public static func loadOrCreate(dataDir: String) throws -> BootstrapToken {
        let path = dataDir + "/admin-token"
        if let existing = readToken(path) { return BootstrapToken(path: path, value: existing) }
        // 64 hex digits, 256 bits.
        let token = Secrets.hex(Secrets.randomBytes(32))
        let stored = try SecretFile.create(path, text: token, what: "the admin token")
        return BootstrapToken(path: path, value: stored)
    }

    static func readToken(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = read(fd, &buffer, buffer.count)
        guard n > 0 else { return nil }
        let token = buffer[0..<n].filter { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: " ") }
        return token.count >= 32 ? Array(token) : nil
    }

    /// Constant-time comparison: the time taken says nothing about how much matched.
    func matches(_ candidate: String) -> Bool {
        let bytes = Array(candidate.utf8)
        guard bytes.count == value.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(bytes, value) { difference |= a ^ b }
        return difference == 0
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

public struct SetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
