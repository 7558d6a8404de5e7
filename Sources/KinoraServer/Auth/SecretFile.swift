#if canImport(Glibc)
import Glibc
#endif

/// The key that signs access tokens: 32 random bytes written on first start to
/// `<data-dir>/jwt-secret` (mode 0600, hex), like the admin token. Deleting the file and
/// restarting invalidates every access token.
public enum JWTSecret {
    public static func loadOrCreate(dataDir: String) throws -> [UInt8] {
        let path = dataDir + "/jwt-secret"
        if let existing = read(path) { return existing }
        var rng = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in rng.next() as UInt8 }
        let hex = secret.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        let temp = path + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SetupError("\(temp): cannot create the token signing key: \(String(cString: strerror(errno)))") }
        let bytes = Array((hex + "\n").utf8)
        let written = write(fd, bytes, bytes.count)
        fsync(fd)
        close(fd)
        // link() rather than rename(): when two processes race on first start, one wins and
        // both use its key.
        guard written == bytes.count else {
            unlink(temp)
            throw SetupError("\(path): cannot write the token signing key")
        }
        let linked = link(temp, path) == 0
        unlink(temp)
        if !linked, errno != EEXIST { throw SetupError("\(path): cannot write the token signing key") }
        guard let stored = read(path) else { throw SetupError("\(path): unreadable token signing key") }
        return stored
    }

    static func read(_ path: String) -> [UInt8]? {
        guard let text = BootstrapToken.readToken(path), text.count == 64 else { return nil }
        var bytes: [UInt8] = []
        var index = 0
        while index < 64 {
            guard let byte = UInt8(String(decoding: text[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
            index += 2
        }
        return bytes
    }
}
